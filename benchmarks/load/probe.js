// Page probe of the load benchmark (added with Playwright's add_init_script, so the
// dashboard's own code is unchanged). It watches every Bokeh document of the page:
//
// - first draw: the first time a plot's data source holds data *and* a view renders
//   it (its glyph renderer has a view), timed after the next two animation frames,
//   i.e. after the browser painted it; a source that appears later (a rebuilt plot)
//   gets its own first draw;
// - updates: every server change of a data source ("data" replaced, or columns
//   streamed), timed the same way.
//
// It also notes when the page's HTML arrived, when DOMContentLoaded fired and when the
// Bokeh document first existed (the session's websocket delivered it), to split the
// session start into its parts.
//
// Data sources are recognised by their columns (see the presenters): "image" (image
// and slicer), "err" (the line's point source), "t" + "v" (time series). Each record
// carries a fingerprint of the data received (benchmarks/load/fingerprints.py computes
// the same number from the backend's result).
(() => {
  if (window.__ldProbe) { return }
  const P = window.__ldProbe = {
    installed_ms: Date.now(), sources: {}, firsts: {}, draws: [], errors: [], docs: 0,
    doc_ms: null, nav: null, lost_ms: null,
  }
  const hooked = new WeakSet()
  const get = (data, k) => (data == null ? undefined : (data instanceof Map ? data.get(k) : data[k]))
  const kindOf = (data) => {
    if (get(data, "image") !== undefined) { return "image" }
    if (get(data, "err") !== undefined) { return "line" }
    if (get(data, "t") !== undefined && get(data, "v") !== undefined) { return "ts" }
    return null
  }
  const finiteSum = (a) => {
    let s = 0
    for (let i = 0; i < a.length; i++) { const v = a[i]; if (Number.isFinite(v)) { s += v } }
    return s
  }
  const fingerprint = (kind, data) => {
    if (kind === "image") {
      const images = get(data, "image")
      return images && images.length > 0 ? finiteSum(images[0]) : null
    }
    if (kind === "line") {
      const y = get(data, "y")
      return y && y.length > 0 ? finiteSum(y) : null
    }
    const t = get(data, "t")
    if (!t || t.length === 0) { return null }
    let m = -Infinity
    for (let i = 0; i < t.length; i++) { if (t[i] > m) { m = t[i] } }
    return m
  }
  const shapeOf = (kind, data) => {
    if (kind !== "image") { return null }
    const images = get(data, "image")
    const a = images && images[0]
    return a && a.shape ? Array.from(a.shape) : null
  }
  const painted = (fn) => requestAnimationFrame(() => requestAnimationFrame(() => fn(Date.now())))
  const rendered = (model) => {
    const index = window.Bokeh && window.Bokeh.index
    if (!index || typeof index.query_one !== "function") { return true }
    return index.query_one((view) => view.model && view.model.data_source === model) != null
  }

  let scanQueued = false
  const scan = (doc) => {
    scanQueued = false
    for (const model of doc.all_models) {
      const data = model.data
      if (data === undefined || P.firsts[model.id] !== undefined) { continue }
      const kind = kindOf(data)
      if (kind === null) { continue }
      const fp = fingerprint(kind, data)
      if (fp === null || !rendered(model)) { continue }
      P.firsts[model.id] = null  // claimed; filled in after paint
      P.sources[model.id] = { kind, shape: shapeOf(kind, data) }
      const seen = Date.now()
      painted((t) => { P.firsts[model.id] = { seen_ms: seen, painted_ms: t, fp } })
    }
  }
  const queueScan = (doc) => {
    if (!scanQueued) { scanQueued = true; requestAnimationFrame(() => scan(doc)) }
  }
  const onChange = (doc) => (event) => {
    try {
      const model = event.model
      const isData = event.kind === "ColumnsStreamed" ||
        (event.kind === "ModelChanged" && event.attr === "data")
      if (isData && model && P.sources[model.id] !== undefined) {
        const kind = P.sources[model.id].kind
        const fp = fingerprint(kind, event.kind === "ColumnsStreamed" ? event.data : model.data)
        if (fp !== null) {
          const seen = Date.now()
          painted((t) => { P.draws.push([model.id, seen, t, fp]) })
        }
      } else if (!isData || model === undefined || P.sources[model.id] === undefined) {
        // Anything else may have added a plot (a new page body, a rebuilt presenter).
        queueScan(doc)
      }
    } catch (err) {
      if (P.errors.length < 20) { P.errors.push(String(err)) }
    }
  }
  const hook = () => {
    const docs = (window.Bokeh && window.Bokeh.documents) || []
    for (const doc of docs) {
      if (hooked.has(doc)) { continue }
      hooked.add(doc)
      P.docs += 1
      if (P.doc_ms === null) { P.doc_ms = Date.now() }
      if (P.nav === null) {
        const nav = performance.getEntriesByType("navigation")[0]
        if (nav) {
          const at = (t) => performance.timeOrigin + t
          P.nav = { response_end_ms: at(nav.responseEnd), dom_loaded_ms: at(nav.domContentLoadedEventEnd) }
        }
      }
      doc.on_change(onChange(doc), false)
      doc.on_event("connection_lost", () => { if (P.lost_ms === null) { P.lost_ms = Date.now() } })
      queueScan(doc)
    }
  }
  setInterval(hook, 50)
  // A slow safety net for first draws whose models came without a change event.
  setInterval(() => {
    const docs = (window.Bokeh && window.Bokeh.documents) || []
    if (Object.keys(P.firsts).length < 4) { for (const doc of docs) { queueScan(doc) } }
  }, 250)
  setInterval(() => {
    for (const doc of (window.Bokeh && window.Bokeh.documents) || []) { queueScan(doc) }
  }, 5000)
  // Returns and forgets the update records gathered so far.
  window.__ldDrain = () => { const out = P.draws; P.draws = []; return out }
})()
