package cliofake_test

import (
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
)

func benchPage(b *testing.B, path string, n int, seed func(f *cliofake.Server, i int)) {
	f := cliofake.New(cliofake.Options{RateLimit: 1 << 30})
	for i := 0; i < n; i++ {
		seed(f, i)
	}
	srv := newBenchServer(b, f)
	tok := f.IssueToken()
	req, _ := http.NewRequest("GET", srv+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok.Access)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

func BenchmarkListContacts(b *testing.B) {
	benchPage(b, "/api/v4/contacts.json?limit=200&order=id(asc)&page_token=Y3Vyc29yOjI1MDAw&fields=id,etag,name,primary_email_address,email_addresses{address}", 50000, func(f *cliofake.Server, i int) {
		if _, err := f.CreateContact(cliofake.ContactInput{FirstName: "First" + strconv.Itoa(i), LastName: "Last", Email: "p" + strconv.Itoa(i) + "@example.test"}); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkListMatters(b *testing.B) {
	var client int64
	benchPage(b, "/api/v4/matters.json?limit=200&fields=id,etag,display_number,status,client{id,name},custom_field_values{id,value}", 10000, func(f *cliofake.Server, i int) {
		if client == 0 {
			c, _ := f.CreateContact(cliofake.ContactInput{FirstName: "Big", LastName: "Client"})
			client = c.ID
		}
		if _, err := f.CreateMatter(cliofake.MatterInput{Description: "Matter " + strconv.Itoa(i), ClientID: client}); err != nil {
			b.Fatal(err)
		}
	})
}
