package gemini

import (
	"strings"
)

// extOf is the file extension of a URL path, lower case, without query or fragment.
func extOf(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	slash := strings.LastIndexByte(u, '/')
	dot := strings.LastIndexByte(u, '.')
	if dot < 0 || dot < slash {
		return ""
	}
	return strings.ToLower(u[dot+1:])
}

// DefaultImageMIME is the type sent for an image URL whose extension says nothing: Gemini
// needs a mimeType on fileData, and JPEG is what most extension-less image URLs serve.
const DefaultImageMIME = "image/jpeg"

// mimeForURL guesses a fileData mimeType from the URL's extension.
func mimeForURL(u, def string) string {
	switch extOf(u) {
	case "jpg", "jpeg":
		return "image/jpeg"
	case "png":
		return "image/png"
	case "gif":
		return "image/gif"
	case "webp":
		return "image/webp"
	case "heic":
		return "image/heic"
	case "heif":
		return "image/heif"
	case "pdf":
		return "application/pdf"
	case "txt":
		return "text/plain"
	case "mp3":
		return "audio/mp3"
	case "wav":
		return "audio/wav"
	case "flac":
		return "audio/flac"
	case "ogg":
		return "audio/ogg"
	case "mp4":
		return "video/mp4"
	case "mov":
		return "video/mov"
	case "webm":
		return "video/webm"
	}
	return def
}
