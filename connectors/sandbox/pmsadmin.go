package sandbox

import (
	"fmt"
	"strings"

	"github.com/firmsync/firmsync/connectors/clio/cliofake"
	"github.com/firmsync/firmsync/connectors/mycase/mycasefake"
	"github.com/firmsync/firmsync/connectors/smokeball/smokeballfake"
)

// CreateMatterIn plays a person opening a matter in a practice-management
// system's own screens (Clio, MyCase or Smokeball): the fake fires its
// webhooks as the real one would. It returns how the system numbers the
// matter, for a message to the person trying the demo.
func (s *Sandbox) CreateMatterIn(platform, description string) (string, error) {
	description = strings.TrimSpace(description)
	if description == "" {
		return "", fmt.Errorf("a matter needs a description")
	}
	switch platform {
	case Clio:
		m, err := s.Clio().CreateMatter(cliofake.MatterInput{Description: description})
		return m.DisplayNumber, err
	case MyCase:
		c, err := s.MyCase().CreateCase(mycasefake.CaseInput{Name: description})
		if err != nil {
			return "", err
		}
		return c.Name, nil
	case Smokeball:
		m, err := s.Smokeball().CreateMatter(smokeballfake.MatterInput{Description: description})
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(m.Number + " " + m.Title), nil
	}
	return "", fmt.Errorf("%s is not a practice-management system", platform)
}
