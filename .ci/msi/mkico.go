// Command mkico turns a square PNG into a Windows .ico holding the sizes
// Explorer, the Start Menu and Add/Remove Programs ask for. It is run by
// .ci/package-windows.sh as `go run .ci/msi/mkico.go in.png out.ico`.
//
// Each size is stored as a PNG inside the ICO (Windows Vista and later read
// them), so no BMP/AND-mask encoder is needed, and the scaling is done here
// rather than by ImageMagick: CI images often carry a stand-in `convert`,
// and the result is then the same on every machine.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"os"

	"golang.org/x/image/draw"
)

// sizes Windows picks from: small and large icons at 100–200 % scaling,
// and the 256 px "jumbo" view.
var sizes = []int{16, 20, 24, 32, 40, 48, 64, 256}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: mkico in.png out.ico")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "mkico:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return fmt.Errorf("opening the source image: %w", err)
	}
	src, err := png.Decode(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("decoding %s: %w", in, err)
	}
	b := src.Bounds()
	if b.Dx() != b.Dy() || b.Dx() < 256 {
		return fmt.Errorf("%s is %dx%d; want a square of at least 256 px", in, b.Dx(), b.Dy())
	}
	var images [][]byte
	for _, s := range sizes {
		dst := image.NewNRGBA(image.Rect(0, 0, s, s))
		draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
		var buf bytes.Buffer
		if err := png.Encode(&buf, dst); err != nil {
			return fmt.Errorf("encoding the %d px image: %w", s, err)
		}
		images = append(images, buf.Bytes())
	}
	ico, err := encode(sizes, images)
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, ico, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return nil
}

// encode lays out an ICONDIR, one ICONDIRENTRY per image, then the images.
func encode(sizes []int, images [][]byte) ([]byte, error) {
	var buf bytes.Buffer
	le := binary.LittleEndian
	hdr := []uint16{0, 1, uint16(len(images))} // reserved, type 1 = icon, count
	if err := binary.Write(&buf, le, hdr); err != nil {
		return nil, err
	}
	offset := 6 + 16*len(images)
	for i, img := range images {
		dim := byte(sizes[i]) // 256 is written as 0, as the format says
		entry := struct {
			W, H, Colors, Reserved byte
			Planes, BitCount       uint16
			Size, Offset           uint32
		}{dim, dim, 0, 0, 1, 32, uint32(len(img)), uint32(offset)}
		if err := binary.Write(&buf, le, entry); err != nil {
			return nil, err
		}
		offset += len(img)
	}
	for _, img := range images {
		buf.Write(img)
	}
	return buf.Bytes(), nil
}
