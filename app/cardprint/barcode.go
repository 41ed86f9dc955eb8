package cardprint

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/boombuler/barcode/code128"
	"github.com/boombuler/barcode/qr"
)

// ErrInvalidInput is wrapped by every error caused by the caller's input
// (empty or oversized text, characters a code cannot carry, sizes out of
// range).
var ErrInvalidInput = errors.New("cardprint: invalid input")

const (
	// MaxPixels bounds the width and height of generated images.
	MaxPixels = 4096
	// MaxQRText bounds the text QRPNG encodes.
	MaxQRText = 1024
	// MaxCode128 bounds the text Code128PNG encodes.
	MaxCode128 = 80

	qrQuietModules      = 4  // ISO/IEC 18004 quiet zone
	code128QuietModules = 10 // ISO/IEC 15417 quiet zone
)

// QRPNG renders text as a px×px grayscale PNG QR code (error correction M,
// alphanumeric mode, 4-module quiet zone). text must use only the QR
// alphanumeric characters 0-9 A-Z space $ % * + - . / : (as card QR texts
// do). The code is scaled by the largest whole factor that fits and centred.
func QRPNG(text string, px int) ([]byte, error) {
	if text == "" || len(text) > MaxQRText {
		return nil, fmt.Errorf("%w: QR text must be 1 to %d characters", ErrInvalidInput, MaxQRText)
	}
	if px <= 0 || px > MaxPixels {
		return nil, fmt.Errorf("%w: QR size must be 1 to %d pixels", ErrInvalidInput, MaxPixels)
	}
	bc, err := qr.Encode(text, qr.M, qr.AlphaNumeric)
	if err != nil {
		return nil, fmt.Errorf("%w: QR: %v", ErrInvalidInput, err)
	}
	n := bc.Bounds().Dx()
	scale := px / (n + 2*qrQuietModules)
	if scale < 1 {
		return nil, fmt.Errorf("%w: %d pixels cannot hold a %d-module QR code with its quiet zone", ErrInvalidInput, px, n)
	}
	img := whiteImage(px, px)
	off := (px - n*scale) / 2
	for y := range n {
		for x := range n {
			if dark(bc.At(x, y)) {
				fillRect(img, off+x*scale, off+y*scale, scale, scale)
			}
		}
	}
	return encodePNG(img)
}

// Code128PNG renders code as a width×height grayscale PNG Code 128 barcode
// with a 10-module quiet zone on each side, for dish labels.
func Code128PNG(code string, width, height int) ([]byte, error) {
	if code == "" || len(code) > MaxCode128 {
		return nil, fmt.Errorf("%w: Code 128 text must be 1 to %d characters", ErrInvalidInput, MaxCode128)
	}
	if width <= 0 || width > MaxPixels || height <= 0 || height > MaxPixels {
		return nil, fmt.Errorf("%w: barcode size must be 1 to %d pixels each way", ErrInvalidInput, MaxPixels)
	}
	bc, err := code128.Encode(code)
	if err != nil {
		return nil, fmt.Errorf("%w: Code 128: %v", ErrInvalidInput, err)
	}
	n := bc.Bounds().Dx()
	scale := width / (n + 2*code128QuietModules)
	if scale < 1 {
		return nil, fmt.Errorf("%w: %d pixels cannot hold a %d-module barcode with its quiet zones", ErrInvalidInput, width, n)
	}
	img := whiteImage(width, height)
	off := (width - n*scale) / 2
	for x := range n {
		if dark(bc.At(x, 0)) {
			fillRect(img, off+x*scale, 0, scale, height)
		}
	}
	return encodePNG(img)
}

func whiteImage(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 0xFF
	}
	return img
}

func fillRect(img *image.Gray, x0, y0, w, h int) {
	for y := y0; y < y0+h; y++ {
		row := img.Pix[y*img.Stride:]
		for x := x0; x < x0+w; x++ {
			row[x] = 0
		}
	}
}

func dark(c color.Color) bool {
	return color.GrayModel.Convert(c).(color.Gray).Y < 0x80
}

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("cardprint: encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}
