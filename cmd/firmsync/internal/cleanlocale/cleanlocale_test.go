package cleanlocale

import "testing"

func TestLanguage(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string // "" for leave LANGUAGE alone
	}{
		{map[string]string{"LANG": "C.UTF-8"}, "en"},
		{map[string]string{"LANG": "C.utf8"}, "en"},
		{map[string]string{"LANG": "POSIX.UTF-8"}, "en"},
		{map[string]string{"LC_ALL": "C.UTF-8", "LANG": "de_DE.UTF-8"}, "en"},
		{map[string]string{"LC_MESSAGES": "C.UTF-8@euro"}, "en"},
		{map[string]string{"LANG": "C"}, ""},
		{map[string]string{"LANG": "POSIX"}, ""},
		{map[string]string{"LANG": "de_DE.UTF-8"}, ""},
		{map[string]string{"LC_ALL": "fr_FR.UTF-8", "LANG": "C.UTF-8"}, ""},
		{map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "de"}, ""},
		{nil, ""},
	}
	for _, c := range cases {
		got, ok := language(func(k string) string { return c.env[k] })
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%v: got %q %v, want %q", c.env, got, ok, c.want)
		}
	}
}
