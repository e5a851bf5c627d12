package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

//go:embed templates/*.html
var templateFS embed.FS

// Assets are served under names that carry a hash of their content, so they
// can be cached for a year and still change with each release.
var (
	assetNames, assetFiles, assetGzip = loadAssets()
	pages                             = parsePages()
)

// loadAssets returns, by name, the hashed name of each asset
// (style.css -> style.3f2a9c1b0d.css) and, by hashed name, its content
// plain and gzipped.
func loadAssets() (names map[string]string, files, gzips map[string][]byte) {
	names, files, gzips = map[string]string{}, map[string][]byte{}, map[string][]byte{}
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, err := staticFS.ReadFile("static/" + e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(e.Name())
		hashed := strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:5]) + ext
		names[e.Name()] = hashed
		files[hashed] = b
		gzips[hashed] = gzipped(b)
	}
	return names, files, gzips
}

// parsePages parses each page's template with the shared layout.
func parsePages() map[string]*template.Template {
	pages := map[string]*template.Template{}
	layout := template.Must(template.New("").Funcs(templateFuncs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html"))
	for _, name := range []string{"home", "country", "platform", "record", "search", "error"} {
		pages[name] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, "templates/"+name+"*.html"))
	}
	return pages
}

func assetURL(name string) string { return "/static/" + assetNames[name] }

func serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, ok := assetFiles[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Vary", "Accept-Encoding")
	if acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		b = assetGzip[name]
	}
	w.Write(b)
}
