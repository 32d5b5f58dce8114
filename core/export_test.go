package core

import "context"

// TestConnectionForTests calls the platform's identity endpoint through the
// app's own clients (token source, refresh, reconnect marking).
func (a *App) TestConnectionForTests(ctx context.Context, platform string) error {
	switch platform {
	case Clio:
		c, err := a.platforms.Clio(ctx)
		if err != nil {
			return err
		}
		_, err = c.Me(ctx)
		return err
	case Zoom:
		c, err := a.platforms.Zoom(ctx)
		if err != nil {
			return err
		}
		_, err = c.Me(ctx)
		return err
	case Box:
		c, err := a.platforms.Box(ctx)
		if err != nil {
			return err
		}
		_, err = c.Me(ctx)
		return err
	}
	c, err := a.platforms.Lawmatics(ctx)
	if err != nil {
		return err
	}
	_, err = c.Me(ctx)
	return err
}
