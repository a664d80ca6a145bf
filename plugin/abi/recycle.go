package abi

// Recycler is implemented by an HttpContext that can serve a later stream once the host has
// deleted its own (proxy_on_delete): the dispatcher calls Recycle then, and never calls the
// context again. Allocating a stream's context is one of the dearest steps of a request inside
// wasm (a ~2 KB object with pointers), so the plugin keeps a few for reuse.
type Recycler interface{ Recycle() }

// recycle hands a deleted stream's context back to the plugin (wasip1 dispatcher only).
func recycle(hc any) {
	if g, ok := hc.(*guardedHttp); ok {
		hc = g.inner
	}
	if r, ok := hc.(Recycler); ok {
		r.Recycle()
	}
}
