package token

import "testing"

func TestIssueThenVerify(t *testing.T) {
	raw, err := IssueToken("ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	subject, err := VerifyToken(raw)
	if err != nil || subject != "ada@example.com" {
		t.Fatalf("got %q, %v", subject, err)
	}
}
