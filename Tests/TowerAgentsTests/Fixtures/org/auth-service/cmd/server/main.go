package main

import (
	"log"
	"net/http"

	"github.com/acme/auth-service/internal/token"
)

func main() {
	http.HandleFunc("/api/session", func(w http.ResponseWriter, r *http.Request) {
		t, err := token.IssueToken(r.FormValue("email"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.Write([]byte(t))
	})
	log.Fatal(http.ListenAndServe(":8080", nil))
}
