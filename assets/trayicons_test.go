package assets

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"testing"
)

// The tray icons are drawn here, in code, so that each state differs by
// its SHAPE and not only by its colour: a colour-blind user, a monochrome
// panel theme or a 16-pixel tray must still tell "needs attention" from
// "all well". Each state has its own outline and its own white glyph:
//
//	ok         green rounded square, check mark
//	syncing    blue rounded square, two circling arrows
//	error      red triangle, exclamation mark
//	reconnect  orange diamond, broken chain link (someone must sign in)
//	paused     grey circle, two bars
//
// Regenerate the PNGs (go:generate below) after changing the drawing; the
// test fails while the embedded files differ from it.
//
//go:generate env FIRMSYNC_WRITE_TRAY_ICONS=1 go test -count=1 -run TestTrayIconsAreTheDrawnArt .

// trayIconSize is the originals' size; Fyne scales it for the tray.
const trayIconSize = 64

// trayArt maps each state to its file and drawing.
var trayArt = []struct {
	state, file string
	bg          color.RGBA
	outline     sdf
	glyph       sdf
}{
	{"ok", "tray-ok.png", color.RGBA{0x2e, 0x7d, 0x32, 0xff}, roundedSquare(0.88, 0.26), checkMark},
	{"syncing", "tray-sync.png", color.RGBA{0x15, 0x65, 0xc0, 0xff}, roundedSquare(0.88, 0.26), circlingArrows},
	{"error", "tray-error.png", color.RGBA{0xc6, 0x28, 0x28, 0xff}, triangle, exclamation},
	{"reconnect", "tray-reconnect.png", color.RGBA{0xe6, 0x5c, 0x00, 0xff}, diamond, brokenLink},
	{"paused", "tray-paused.png", color.RGBA{0x61, 0x61, 0x61, 0xff}, circle(0.94), pauseBars},
}

// sdf is a signed distance: negative inside the shape, in units where the
// icon spans -1…1 on each axis (y up).
type sdf func(x, y float64) float64

// drawTrayIcon renders one state with 4×4 supersampling: the background
// colour inside the outline, white inside the glyph.
func drawTrayIcon(bg color.RGBA, outline, glyph sdf) *image.NRGBA {
	const ss = 4
	img := image.NewNRGBA(image.Rect(0, 0, trayIconSize, trayIconSize))
	for py := 0; py < trayIconSize; py++ {
		for px := 0; px < trayIconSize; px++ {
			var cover, white float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					x := (float64(px)+(float64(sx)+0.5)/ss)/trayIconSize*2 - 1
					y := 1 - (float64(py)+(float64(sy)+0.5)/ss)/trayIconSize*2
					if outline(x, y) < 0 {
						cover++
						if glyph(x, y) < 0 {
							white++
						}
					}
				}
			}
			if cover == 0 {
				continue
			}
			// Colour of the covered part, then its coverage as alpha.
			f := white / cover
			mix := func(c uint8) uint8 { return uint8(math.Round(float64(c)*(1-f) + 255*f)) }
			img.SetNRGBA(px, py, color.NRGBA{mix(bg.R), mix(bg.G), mix(bg.B), uint8(math.Round(255 * cover / (ss * ss)))})
		}
	}
	return img
}

func length(x, y float64) float64 { return math.Hypot(x, y) }

func circle(r float64) sdf { return func(x, y float64) float64 { return length(x, y) - r } }

func roundedSquare(half, r float64) sdf {
	return func(x, y float64) float64 {
		qx, qy := math.Abs(x)-half+r, math.Abs(y)-half+r
		return length(math.Max(qx, 0), math.Max(qy, 0)) + math.Min(math.Max(qx, qy), 0) - r
	}
}

// segment is the distance from (x, y) to the segment a–b.
func segment(x, y, ax, ay, bx, by float64) float64 {
	dx, dy := bx-ax, by-ay
	t := math.Max(0, math.Min(1, ((x-ax)*dx+(y-ay)*dy)/(dx*dx+dy*dy)))
	return length(x-ax-t*dx, y-ay-t*dy)
}

// polygon is the signed distance to a convex polygon, its corners in
// either winding order.
func polygon(pts ...[2]float64) sdf {
	return func(x, y float64) float64 {
		d := math.Inf(1)
		left, right := false, false
		for i := range pts {
			a, b := pts[i], pts[(i+1)%len(pts)]
			d = math.Min(d, segment(x, y, a[0], a[1], b[0], b[1]))
			if c := (b[0]-a[0])*(y-a[1]) - (b[1]-a[1])*(x-a[0]); c < 0 {
				right = true
			} else if c > 0 {
				left = true
			}
		}
		if !(left && right) {
			return -d // on one side of every edge: inside
		}
		return d
	}
}

func union(fs ...sdf) sdf {
	return func(x, y float64) float64 {
		d := math.Inf(1)
		for _, f := range fs {
			d = math.Min(d, f(x, y))
		}
		return d
	}
}

// rounded grows a shape by r, rounding its corners.
func rounded(f sdf, r float64) sdf { return func(x, y float64) float64 { return f(x, y) - r } }

var (
	triangle = rounded(polygon([2]float64{-0.82, -0.74}, [2]float64{0.82, -0.74}, [2]float64{0, 0.80}), 0.12)
	diamond  = rounded(polygon([2]float64{0, -0.86}, [2]float64{0.86, 0}, [2]float64{0, 0.86}, [2]float64{-0.86, 0}), 0.1)

	checkMark = func(x, y float64) float64 {
		return math.Min(segment(x, y, -0.48, 0.02, -0.14, -0.34), segment(x, y, -0.14, -0.34, 0.50, 0.36)) - 0.12
	}
	exclamation = func(x, y float64) float64 {
		return math.Min(segment(x, y, 0, 0.34, 0, -0.18)-0.1, length(x, y+0.44)-0.11)
	}
	pauseBars = func(x, y float64) float64 {
		return math.Min(segment(x, y, -0.22, 0.36, -0.22, -0.36), segment(x, y, 0.22, 0.36, 0.22, -0.36)) - 0.11
	}
	// brokenLink is two chain links on the diagonal with a gap between.
	brokenLink = func(x, y float64) float64 {
		link := func(ax, ay, bx, by float64) float64 {
			return math.Abs(segment(x, y, ax, ay, bx, by)-0.13) - 0.06
		}
		cracks := math.Min(segment(x, y, -0.10, 0.14, -0.20, 0.30), segment(x, y, 0.14, -0.10, 0.30, -0.20)) - 0.045
		return math.Min(math.Min(link(-0.32, -0.32, -0.14, -0.14), link(0.14, 0.14, 0.32, 0.32)), cracks)
	}
	// circlingArrows is two arcs of a ring, each ending in an arrow head.
	circlingArrows = func(x, y float64) float64 {
		const r, w = 0.46, 0.1
		ring := math.Abs(length(x, y)-r) - w
		a := math.Atan2(y, x)
		// Keep the ring except two gaps, after each arrow head.
		inArc := func(from, to float64) bool { return a >= from && a <= to }
		d := math.Inf(1)
		if inArc(-math.Pi+0.55, -0.35) || inArc(0.55, math.Pi-0.35) {
			d = ring
		}
		head := func(angle float64) sdf {
			// A triangle pointing along the circle at angle, anticlockwise.
			cx, cy := r*math.Cos(angle), r*math.Sin(angle)
			tx, ty := -math.Sin(angle), math.Cos(angle) // tangent
			nx, ny := math.Cos(angle), math.Sin(angle)  // normal
			tip := [2]float64{cx + 0.26*tx, cy + 0.26*ty}
			l := [2]float64{cx + 0.24*nx, cy + 0.24*ny}
			rr := [2]float64{cx - 0.24*nx, cy - 0.24*ny}
			return polygon(rr, tip, l)
		}
		return union(func(float64, float64) float64 { return d }, head(-0.35), head(math.Pi-0.35))(x, y)
	}
)

func trayPNG(t *testing.T, state string) []byte {
	t.Helper()
	switch state {
	case "ok":
		return trayOK
	case "syncing":
		return traySync
	case "error":
		return trayError
	case "reconnect":
		return trayReconnect
	case "paused":
		return trayPaused
	}
	t.Fatalf("no tray icon for %q", state)
	return nil
}

func TestTrayIconsAreTheDrawnArt(t *testing.T) {
	write := os.Getenv("FIRMSYNC_WRITE_TRAY_ICONS") != ""
	for _, a := range trayArt {
		img := drawTrayIcon(a.bg, a.outline, a.glyph)
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		if write {
			if err := os.WriteFile(a.file, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if !bytes.Equal(buf.Bytes(), trayPNG(t, a.state)) {
			t.Errorf("%s is not the drawn art: run go generate ./assets", a.file)
		}
	}
}

// mask is which pixels an icon covers and which of those are white,
// whatever its colour.
type mask struct {
	cover, white [trayIconSize * trayIconSize]bool
}

func maskOf(t *testing.T, state string) mask {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(trayPNG(t, state)))
	if err != nil {
		t.Fatalf("decoding the %s icon: %v", state, err)
	}
	if b := img.Bounds(); b.Dx() != trayIconSize || b.Dy() != trayIconSize {
		t.Fatalf("the %s icon is %v, want %d×%d like the originals", state, b, trayIconSize, trayIconSize)
	}
	var m mask
	for y := 0; y < trayIconSize; y++ {
		for x := 0; x < trayIconSize; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			i := y*trayIconSize + x
			m.cover[i] = c.A >= 128
			m.white[i] = m.cover[i] && c.R > 200 && c.G > 200 && c.B > 200
		}
	}
	return m
}

// TestTrayIconsDifferByShape compares the icons as a colour-blind eye
// sees them: only where they are drawn and where they are white. Every
// pair must differ in a good share of the pixels.
func TestTrayIconsDifferByShape(t *testing.T) {
	states := []string{"ok", "syncing", "error", "reconnect", "paused"}
	masks := map[string]mask{}
	for _, s := range states {
		masks[s] = maskOf(t, s)
	}
	const minDiff = trayIconSize * trayIconSize / 20 // 5 % of the icon
	for i, a := range states {
		for _, b := range states[i+1:] {
			t.Run(fmt.Sprintf("%s-%s", a, b), func(t *testing.T) {
				diff := 0
				for p := range masks[a].cover {
					if masks[a].cover[p] != masks[b].cover[p] || masks[a].white[p] != masks[b].white[p] {
						diff++
					}
				}
				if diff < minDiff {
					t.Errorf("%s and %s differ in %d pixels by shape; want at least %d", a, b, diff, minDiff)
				}
			})
		}
	}
}
