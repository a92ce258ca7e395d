// The basket: items kept in the page, the subtotal shown in euros.
const basket = [];

function formatCents(cents) {
  return (cents / 100).toFixed(2);
}

function addItem(name, cents) {
  basket.push({ name, cents });
  render();
}

function render() {
  const list = document.getElementById("basket");
  list.innerHTML = "";
  for (const item of basket) {
    const row = document.createElement("li");
    row.textContent = `${item.name}: ${formatCents(item.cents)}`;
    list.appendChild(row);
  }
  const subtotal = basket.reduce((sum, item) => sum + item.cents, 0);
  document.getElementById("subtotal").textContent = formatCents(subtotal);
}
