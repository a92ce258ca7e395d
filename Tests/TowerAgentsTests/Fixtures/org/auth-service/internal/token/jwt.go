package token

import (
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TokenTTL is how long an issued token is valid.
const TokenTTL = 24 * time.Hour

var signingKey = []byte("set-from-environment")

// IssueToken signs a token for a subject that expires after TokenTTL.
func IssueToken(subject string) (string, error) {
	claims := jwt.RegisteredClaims{Subject: subject, ExpiresAt: jwt.NewNumericDate(time.Now().Add(TokenTTL))}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(signingKey)
}

// VerifyToken checks a token's signature and expiry and returns its subject.
func VerifyToken(raw string) (string, error) {
	parsed, err := jwt.ParseWithClaims(raw, &jwt.RegisteredClaims{}, func(*jwt.Token) (any, error) { return signingKey, nil })
	if err != nil {
		return "", err
	}
	return parsed.Claims.(*jwt.RegisteredClaims).Subject, nil
}
