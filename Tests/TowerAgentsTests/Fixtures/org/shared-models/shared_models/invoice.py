from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Invoice:
    number: str
    customer: str
    net: int
    vat: int
    currency: str
    voided: bool = False

    @property
    def total(self) -> int:
        return self.net + self.vat

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Invoice":
        return cls(**data)
