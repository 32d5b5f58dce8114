package store

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestConnectionAbsentIsDisconnected(t *testing.T) {
	s := openTest(t)
	c, err := s.Connection("zoom")
	if err != nil {
		t.Fatal(err)
	}
	if c.Platform != "zoom" || c.Status != ConnDisconnected {
		t.Errorf("Connection(zoom) = %+v; want platform zoom, disconnected", c)
	}
}

func TestPutConnectionRoundTrips(t *testing.T) {
	s := openTest(t)
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	want := Connection{
		Platform: "clio", Status: ConnConnected, AccountID: "42", AccountName: "Smith LLP",
		AccountEmail: "a@smith.example", Region: "ca", BaseURL: "https://ca.app.clio.com",
		TokenExpiry: at.Add(time.Hour), ConnectedAt: at, LastSync: at,
		Webhooks: []WebhookReg{{ID: "w1", Model: "matter", URL: "https://t.example/clio", Status: "enabled", ExpiresAt: at.Add(24 * time.Hour)}},
	}
	if err := s.PutConnection(want); err != nil {
		t.Fatal(err)
	}
	if err := s.PutConnection(Connection{Platform: "box", Status: ConnError, LastError: "boom"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Connection("clio")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Connection(clio) =\n%+v\nwant\n%+v", got, want)
	}
	all, err := s.Connections()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Platform != "box" || all[1].Platform != "clio" {
		t.Errorf("Connections() = %+v; want box, clio", all)
	}
	if err := s.PutConnection(Connection{}); err == nil {
		t.Error("PutConnection without platform succeeded")
	}
}

func TestUpdateConnection(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name       string
		fn         func(*Connection) error
		wantErr    error
		wantStatus string
	}{
		{"starts from disconnected and saves", func(c *Connection) error {
			if c.Status != ConnDisconnected {
				return errors.New("not starting from disconnected")
			}
			c.Status = ConnSyncing
			c.Platform = "renamed" // ignored
			return nil
		}, nil, ConnSyncing},
		{"error writes nothing", func(c *Connection) error {
			c.Status = ConnError
			return errBoom
		}, errBoom, ConnDisconnected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			err := s.UpdateConnection("lawmatics", tt.fn)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("UpdateConnection error = %v; want %v", err, tt.wantErr)
			}
			c, err := s.Connection("lawmatics")
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != tt.wantStatus || c.Platform != "lawmatics" {
				t.Errorf("after update: %+v; want status %s", c, tt.wantStatus)
			}
		})
	}
}

func TestSettingsRoundTrip(t *testing.T) {
	s := openTest(t)
	type schedule struct {
		Cron    string
		Enabled bool
	}
	var got schedule
	found, err := s.Setting("schedule.matters", &got)
	if err != nil || found {
		t.Fatalf("Setting on empty store = %v, %v", found, err)
	}
	want := schedule{Cron: "*/15 * * * *", Enabled: true}
	if err := s.PutSetting("schedule.matters", want); err != nil {
		t.Fatal(err)
	}
	found, err = s.Setting("schedule.matters", &got)
	if err != nil || !found || got != want {
		t.Errorf("Setting = %+v, %v, %v; want %+v", got, found, err, want)
	}
	var wrongType int
	if _, err := s.Setting("schedule.matters", &wrongType); err == nil {
		t.Error("decoding into the wrong type succeeded")
	}
}

func TestWatermarks(t *testing.T) {
	s := openTest(t)
	steps := []struct {
		key, set, want string
	}{
		{"matters", "", ""},
		{"matters", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"},
		{"recordings/zoom-user-1", "cursor-abc", "cursor-abc"},
		{"matters", "", ""}, // empty clears
	}
	for _, st := range steps {
		if st.set != "" || st.want == "" {
			if err := s.SetWatermark(st.key, st.set); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Watermark(st.key)
		if err != nil || got != st.want {
			t.Errorf("Watermark(%q) = %q, %v; want %q", st.key, got, err, st.want)
		}
	}
	if got, _ := s.Watermark("recordings/zoom-user-1"); got != "cursor-abc" {
		t.Errorf("multi-part watermark lost: %q", got)
	}
}
