package report

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"fmnist/dataset"
	"fmnist/tfrunner"
)

// findBrowser looks for a Chromium or Chrome binary.
func findBrowser() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	return ""
}

// TestBrowser opens the rendered report in headless Chromium and checks that
// every image loads, that nothing but local files was requested, that no
// script error or console error happened, and drives the embedding
// explorer with the mouse and the keyboard (see testExplorer). It fails
// (does not skip) when no browser is installed.
func TestBrowser(t *testing.T) {
	browser := findBrowser()
	if browser == "" {
		t.Fatal("no browser found (looked in PATH for chromium, chromium-browser and google-chrome, and at /usr/bin/chromium): apt-get install chromium")
	}
	fx, _, res, err := renderFixture(t, func(fx fixture) { writeFixtureSubclasses(t, fx) })
	if err != nil {
		t.Fatal(err)
	}
	pred, err := tfrunner.OpenDir(filepath.Join(fx.Runs, "A")).ReadPredictions(5)
	if err != nil {
		t.Fatal(err)
	}
	page, err := filepath.Abs(res.HTML)
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(browser),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	defer cancelAlloc()
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()

	var mu sync.Mutex
	var requests, failures, consoleErrors []string
	probed := false
	listen := func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		case *network.EventLoadingFailed:
			failures = append(failures, ev.ErrorText)
		case *runtime.EventConsoleAPICalled:
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value))
			}
			if strings.Join(args, " ") == `"console probe"` {
				probed = true
			} else if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning || ev.Type == runtime.ConsoleAPICalledTypeAssert {
				consoleErrors = append(consoleErrors, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " ")))
			}
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			consoleErrors = append(consoleErrors, fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber+1, msg))
		case *cdplog.EventEntryAdded:
			if ev.Entry.Level == cdplog.EntryLevelError {
				consoleErrors = append(consoleErrors, fmt.Sprintf("log: %s %s", ev.Entry.Text, ev.Entry.URL))
			}
		}
	}
	// Start the browser with an empty tab, then listen before navigating.
	if err := chromedp.Do(tabCtx); err != nil {
		t.Fatalf("start %s: %v", browser, err)
	}
	if err := chromedp.Listen(tabCtx, listen); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tabCtx, chromedp.Navigate("file://"+page), chromedp.WaitReady("body")); err != nil {
		t.Fatalf("open %s: %v", page, err)
	}

	type imgState struct {
		Src      string `json:"src"`
		Complete bool   `json:"complete"`
		Width    int    `json:"width"`
	}
	imgs, err := chromedp.Run(tabCtx, chromedp.Evaluate[[]imgState](
		`Array.from(document.images).map(i => ({src: i.getAttribute("src"), complete: i.complete, width: i.naturalWidth}))`))
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != len(res.Images) {
		t.Errorf("the browser sees %d images, Render wrote %d", len(imgs), len(res.Images))
	}
	for _, im := range imgs {
		if !im.Complete || im.Width <= 0 {
			t.Errorf("image %s did not load (complete %v, naturalWidth %d)", im.Src, im.Complete, im.Width)
		}
	}
	title, err := chromedp.Run(tabCtx, chromedp.Evaluate[string](`document.querySelector("h1").textContent`))
	if err != nil || title == "" {
		t.Errorf("page title %q, %v", title, err)
	}

	shot, err := chromedp.Run(tabCtx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(shot)); err != nil {
		t.Errorf("screenshot is not a PNG: %v", err)
	}
	shotPath := filepath.Join(t.TempDir(), "report-screenshot.png")
	if dir := os.Getenv("REPORT_SCREENSHOT_DIR"); dir != "" {
		shotPath = filepath.Join(dir, "report-screenshot.png")
	}
	if err := os.WriteFile(shotPath, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shotPath)

	testExplorer(t, tabCtx, pred)
	testExplorerRedraw(t, tabCtx)

	if _, err := chromedp.Run(tabCtx, chromedp.Evaluate[any](`console.log("console probe")`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let the last events arrive
	mu.Lock()
	defer mu.Unlock()
	if !probed {
		t.Error("the console listener did not see console.log: it does not work")
	}
	for _, e := range consoleErrors {
		t.Errorf("the page logged an error: %s", e)
	}
	if len(requests) == 0 {
		t.Error("no request seen: the network listener does not work")
	}
	for _, u := range requests {
		if !strings.HasPrefix(u, "file:") && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:") {
			t.Errorf("the page requested %s: only file:, data: and blob: URLs are allowed", u)
		}
	}
	if len(failures) > 0 {
		t.Errorf("failed loads: %v", failures)
	}
}

// screenPoint is a test image's position in the viewport, from the page's
// own transform (window.fmnistExplorer.screenPoint).
type screenPoint struct {
	X, Y   float64
	Inside bool
}

// cardState is window.fmnistExplorer.card().
type cardState struct {
	Open, Pinned bool
	Index        int
	Text         string
	Image        bool
}

// viewState is window.fmnistExplorer.transform().
type viewState struct {
	K, Tx, Ty             float64
	Projection, Colouring string
	Highlight             int
}

// evalJS evaluates a JavaScript expression in the page, failing the test on
// an error.
func evalJS[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// do runs browser actions, failing the test on an error.
func do(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// runJS is an action that evaluates a JavaScript statement in the page.
func runJS(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](js)(ctx, t)
		return err
	})
}

// settle waits for two animation frames, so that scheduled redraws are done.
func settle(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`,
		chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("wait for a frame: %v", err)
	}
}

// clickElement clicks the middle of the element sel (a CSS selector) with
// the mouse, as a user would.
func clickElement(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	p := evalJS[screenPoint](t, ctx, fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.scrollIntoView({block: "center"});
		const r = e.getBoundingClientRect(); return {x: r.left + r.width / 2, y: r.top + r.height / 2, inside: r.width > 0}; })()`, sel))
	if !p.Inside {
		t.Fatalf("%s is not shown", sel)
	}
	do(t, ctx, "click "+sel, chromedp.MouseClickXY(p.X, p.Y))
}

// isolatedPoint returns the visible test image farthest from its nearest
// neighbour on the screen, so that pointing at it cannot pick another.
func isolatedPoint(t *testing.T, ctx context.Context) (int, screenPoint) {
	t.Helper()
	pts := evalJS[[]screenPoint](t, ctx, `Array.from({length: fmnistExplorer.points()}, (_, i) => fmnistExplorer.screenPoint(i))`)
	best, bestD := -1, 0.0
	for i, p := range pts {
		// Keep clear of the edges, where the card would not fit.
		if !p.Inside {
			continue
		}
		d := math.Inf(1)
		for j, q := range pts {
			if j != i && q.Inside {
				d = min(d, math.Hypot(p.X-q.X, p.Y-q.Y))
			}
		}
		if d > bestD {
			best, bestD = i, d
		}
	}
	if best < 0 || bestD < 4 {
		t.Fatalf("no isolated point on the screen (best %d at %.1f px)", best, bestD)
	}
	return best, pts[best]
}

// testExplorer drives the embedding explorer of the fixture's page: hover
// shows the card of the image under the pointer, the colouring and the
// projection switch, the wheel zooms about the pointer, a drag pans, a
// click pins the card, the legend highlights, misclassified points can be
// shown alone, and the keyboard reaches the plot, moves between points and
// closes the card.
func testExplorer(t *testing.T, ctx context.Context, pred *tfrunner.Predictions) {
	do(t, ctx, "scroll to the explorer", runJS(`document.getElementById("ex-root").scrollIntoView()`))
	settle(t, ctx)
	if n := evalJS[int](t, ctx, `fmnistExplorer.points()`); n != len(pred.Labels) {
		t.Fatalf("the explorer shows %d points, the run has %d test images", n, len(pred.Labels))
	}

	// Hover over a known image and read its card.
	i, p := isolatedPoint(t, ctx)
	do(t, ctx, "hover", chromedp.MouseEvent(chromedp.MouseMoved, p.X, p.Y))
	c := evalJS[cardState](t, ctx, `fmnistExplorer.card()`)
	label := fmt.Sprintf("%d %s", pred.Labels[i], dataset.GroupNames[pred.Labels[i]])
	class := dataset.ClassNames[pred.Original[i]]
	if !c.Open || c.Pinned || c.Index != i {
		t.Fatalf("hover over test image %d at (%.0f, %.0f): card %+v", i, p.X, p.Y, c)
	}
	for _, want := range []string{fmt.Sprintf("Test image#%d", i), "Label" + label, "Original class" + class, "Predicted"} {
		if !strings.Contains(c.Text, want) {
			t.Errorf("the card of test image %d reads %q, lacking %q", i, c.Text, want)
		}
	}
	if !c.Image {
		t.Errorf("the card of test image %d shows no image", i)
	}
	img := evalJS[string](t, ctx, `(() => { const c = document.getElementById("ex-card-image"), s = getComputedStyle(c), sp = document.getElementById("ex-sprite");
		return [c.width, c.height, c.clientWidth, s.imageRendering, c.hidden, sp.naturalWidth, sp.naturalHeight].join(" "); })()`)
	if want := "28 28 112 pixelated false 2800 56"; img != want {
		t.Errorf("card image (width height shown-width rendering hidden sprite-width sprite-height) = %q, want %q", img, want)
	}

	// Switch the colouring.
	for _, tc := range []struct{ key, entry string }{{"kmeans", "cluster 4"}, {"subclass", "Sandal 1"}, {"original", "Ankle boot"}} {
		got := evalJS[string](t, ctx, fmt.Sprintf(`(() => { const s = document.getElementById("ex-colour"); s.value = %q; s.dispatchEvent(new Event("change"));
			return fmnistExplorer.transform().colouring + "|" + document.getElementById("ex-legend").textContent; })()`, tc.key))
		if !strings.HasPrefix(got, tc.key+"|") || !strings.Contains(got, tc.entry) {
			t.Errorf("colour by %s: state and legend %q, want the legend to hold %q", tc.key, got, tc.entry)
		}
	}
	// A legend entry highlights its group.
	clickElement(t, ctx, "#ex-legend li:nth-child(3) button")
	if v := evalJS[viewState](t, ctx, `fmnistExplorer.transform()`); v.Highlight != 2 ||
		evalJS[string](t, ctx, `document.querySelector("#ex-legend li:nth-child(3) button").getAttribute("aria-pressed")`) != "true" {
		t.Errorf("after a click on the third legend entry: highlight %d", v.Highlight)
	}
	clickElement(t, ctx, "#ex-legend li:nth-child(3) button")
	if v := evalJS[viewState](t, ctx, `fmnistExplorer.transform()`); v.Highlight != -1 {
		t.Errorf("a second click on the legend entry leaves highlight %d", v.Highlight)
	}

	// The wheel zooms about the pointer: the image under it stays put.
	do(t, ctx, "scroll to the explorer", runJS(`document.getElementById("ex-root").scrollIntoView()`))
	p = evalJS[screenPoint](t, ctx, fmt.Sprintf(`fmnistExplorer.screenPoint(%d)`, i))
	before := evalJS[viewState](t, ctx, `fmnistExplorer.transform()`)
	do(t, ctx, "wheel", chromedp.MouseEvent(chromedp.MouseWheel, p.X, p.Y, func(e *input.DispatchMouseEventParams) { e.DeltaX, e.DeltaY = 1e-6, -400 })) // a zero deltaX would be left out of the call
	settle(t, ctx)
	after := evalJS[viewState](t, ctx, `fmnistExplorer.transform()`)
	q := evalJS[screenPoint](t, ctx, fmt.Sprintf(`fmnistExplorer.screenPoint(%d)`, i))
	if !(after.K > before.K*1.5) || after.Tx == before.Tx {
		t.Errorf("wheel: transform %+v, then %+v; want a zoom of exp(0.6)", before, after)
	}
	if math.Hypot(q.X-p.X, q.Y-p.Y) > 1 {
		t.Errorf("zooming about test image %d moved it from (%.1f, %.1f) to (%.1f, %.1f)", i, p.X, p.Y, q.X, q.Y)
	}
	// A drag pans.
	do(t, ctx, "drag",
		chromedp.MouseEvent(chromedp.MousePressed, p.X, p.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, p.X+20, p.Y+10, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, p.X+60, p.Y+30, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseReleased, p.X+60, p.Y+30, chromedp.ButtonLeft))
	settle(t, ctx)
	if v := evalJS[viewState](t, ctx, `fmnistExplorer.transform()`); math.Abs(v.Tx-after.Tx-60) > 0.5 || math.Abs(v.Ty-after.Ty-30) > 0.5 {
		t.Errorf("a drag by (60, 30) moved the view from %+v to %+v", after, v)
	}

	// The projection switch; a click pins the card, Escape closes it.
	clickElement(t, ctx, `input[value="tsne"]`)
	if v := evalJS[viewState](t, ctx, `fmnistExplorer.transform()`); v.Projection != "tsne" || v.K != 1 {
		t.Errorf("after choosing t-SNE: %+v", v)
	}
	do(t, ctx, "scroll to the explorer", runJS(`document.getElementById("ex-root").scrollIntoView()`))
	j, pj := isolatedPoint(t, ctx)
	do(t, ctx, "click a point", chromedp.MouseClickXY(pj.X, pj.Y), chromedp.MouseEvent(chromedp.MouseMoved, pj.X+150, pj.Y+150))
	if c := evalJS[cardState](t, ctx, `fmnistExplorer.card()`); !c.Open || !c.Pinned || c.Index != j {
		t.Errorf("after a click on test image %d and a move away: card %+v, want it pinned", j, c)
	}
	do(t, ctx, "Escape", chromedp.KeyEvent(kb.Escape))
	if c := evalJS[cardState](t, ctx, `fmnistExplorer.card()`); c.Open {
		t.Errorf("Escape left the card open: %+v", c)
	}

	// Keyboard: Tab from the last control reaches the plot and opens a
	// card; arrows move to the nearest point in their direction.
	do(t, ctx, "focus the reset button", runJS(`document.getElementById("ex-reset").focus()`), chromedp.KeyEvent(kb.Tab))
	if id := evalJS[string](t, ctx, `document.activeElement.id`); id != "ex-canvas" {
		t.Fatalf("Tab after the reset button focuses #%s, want the plot", id)
	}
	start := evalJS[cardState](t, ctx, `fmnistExplorer.card()`)
	if !start.Open || start.Index < 0 {
		t.Fatalf("focusing the plot with Tab opens no card: %+v", start)
	}
	for _, k := range []struct {
		key    string
		dx, dy float64
	}{{kb.ArrowRight, 1, 0}, {kb.ArrowDown, 0, 1}, {kb.ArrowLeft, -1, 0}, {kb.ArrowUp, 0, -1}} {
		from := evalJS[cardState](t, ctx, `fmnistExplorer.card()`)
		a := evalJS[screenPoint](t, ctx, fmt.Sprintf(`fmnistExplorer.screenPoint(%d)`, from.Index))
		do(t, ctx, "arrow key", chromedp.KeyEvent(k.key))
		to := evalJS[cardState](t, ctx, `fmnistExplorer.card()`)
		b := evalJS[screenPoint](t, ctx, fmt.Sprintf(`fmnistExplorer.screenPoint(%d)`, to.Index))
		// Moving may pan the view to keep the point in sight: compare with
		// the old point's new position.
		a = evalJS[screenPoint](t, ctx, fmt.Sprintf(`fmnistExplorer.screenPoint(%d)`, from.Index))
		along := (b.X-a.X)*k.dx + (b.Y-a.Y)*k.dy
		across := math.Abs((b.X-a.X)*k.dy - (b.Y-a.Y)*k.dx)
		if !to.Open || to.Index == from.Index || along <= 0 || across > along {
			t.Errorf("key %q from test image %d: card %+v, moved (%.1f along, %.1f across)", k.key, from.Index, to, along, across)
		}
	}
	do(t, ctx, "Escape", chromedp.KeyEvent(kb.Escape))
	if c := evalJS[cardState](t, ctx, `fmnistExplorer.card()`); c.Open {
		t.Errorf("Escape left the card open: %+v", c)
	}

	// Misclassified only.
	clickElement(t, ctx, "#ex-wrong")
	shown := evalJS[[]screenPoint](t, ctx, `(fmnistExplorer.redraw(), Array.from({length: fmnistExplorer.points()}, (_, i) => fmnistExplorer.screenPoint(i)))`)
	wrongCount := 0
	for k, s := range shown {
		wrong := pred.Predicted[k] != pred.Labels[k]
		if wrong {
			wrongCount++
		}
		if s.Inside && !wrong {
			t.Errorf("misclassified only: test image %d (label %d, predicted %d) is shown", k, pred.Labels[k], pred.Predicted[k])
			break
		}
	}
	if st := evalJS[string](t, ctx, `document.getElementById("ex-status").textContent`); !strings.Contains(st, fmt.Sprintf("%d misclassified of %d", wrongCount, len(pred.Labels))) {
		t.Errorf("status %q, want %d misclassified", st, wrongCount)
	}
	clickElement(t, ctx, "#ex-wrong")

	// Screenshots with a card open: desktop, then phone width.
	shoot := func(name string, width, height int64) {
		t.Helper()
		do(t, ctx, "resize", chromedp.EmulateViewport(width, height))
		settle(t, ctx)
		do(t, ctx, "scroll to the explorer", runJS(`fmnistExplorer.redraw(); document.getElementById("ex-root").scrollIntoView()`))
		settle(t, ctx)
		k, pk := isolatedPoint(t, ctx)
		do(t, ctx, "hover", chromedp.MouseEvent(chromedp.MouseMoved, pk.X, pk.Y))
		if c := evalJS[cardState](t, ctx, `fmnistExplorer.card()`); !c.Open || c.Index != k {
			t.Errorf("%dx%d: hover over test image %d: card %+v", width, height, k, c)
		}
		fit := evalJS[string](t, ctx, `(() => { const w = document.documentElement.clientWidth, r = document.getElementById("ex-root").getBoundingClientRect(),
			c = document.getElementById("ex-card").getBoundingClientRect(), p = document.getElementById("ex-canvas").getBoundingClientRect();
			return (r.right <= w + 0.5 && c.right <= w + 0.5 && c.left >= 0 && p.width >= Math.min(300, w - 80)) ? "" : JSON.stringify({w, root: r, card: c, plot: p}); })()`)
		if fit != "" {
			t.Errorf("%dx%d: the explorer does not fit: %s", width, height, fit)
		}
		shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), name)
		if dir := os.Getenv("REPORT_SCREENSHOT_DIR"); dir != "" {
			path = filepath.Join(dir, name)
		}
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
	shoot("explorer-screenshot.png", 1280, 800)
	shoot("explorer-phone.png", 390, 844)
	do(t, ctx, "resize", chromedp.EmulateViewport(1280, 900))
}

// testExplorerRedraw opens an explorer of 10,000 points, as many as the
// test set has, and times its redraw, which must stay under 50 ms.
func testExplorerRedraw(t *testing.T, ctx context.Context) {
	const n = 10000
	r := rand.New(rand.NewPCG(3, 4))
	in := explorerInput{Model: "A", Rows: n, LabelNames: dataset.GroupNames[:], PCA: make([][2]float64, n), TSNE: make([][2]float64, n),
		Labels: make([]int, n), Original: make([]int, n), Predicted: make([]int, n), Probs: make([][]float64, n), KMeans: make([]int, n), DBSCAN: make([]int, n)}
	for i := range n {
		c := r.IntN(10)
		a := 2 * math.Pi * float64(c) / 10
		in.Original[i], in.Labels[i] = c, dataset.Grouping[c]
		in.PCA[i] = [2]float64{4*math.Cos(a) + r.NormFloat64(), 4*math.Sin(a) + r.NormFloat64()}
		in.TSNE[i] = [2]float64{30*math.Cos(a) + 3*r.NormFloat64(), 30*math.Sin(a) + 3*r.NormFloat64()}
		in.Predicted[i] = in.Labels[i]
		if r.Float64() < 0.1 {
			in.Predicted[i] = (in.Labels[i] + 1) % 5
		}
		in.Probs[i] = make([]float64, 5)
		in.Probs[i][in.Predicted[i]] = 0.8
		in.KMeans[i] = r.IntN(5)
		in.DBSCAN[i] = r.IntN(40) - 1
	}
	data, err := explorerJSON(in)
	if err != nil {
		t.Fatal(err)
	}
	html, err := renderHTML(&page{Title: "explorer redraw", Explorer: explorerView{Data: template.JS(data), Script: template.JS(explorerScript)}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), HTMLFile)
	must(t, os.WriteFile(path, html, 0o644))
	do(t, ctx, "open "+path, chromedp.Navigate("file://"+path), chromedp.WaitReady("body"))
	do(t, ctx, "scroll to the explorer", runJS(`document.getElementById("ex-root").scrollIntoView()`))
	settle(t, ctx)
	times := evalJS[[]float64](t, ctx, `(() => { const ts = []; for (let i = 0; i !== 9; i++) ts.push(fmnistExplorer.redraw()); return ts.sort((a, b) => a - b); })()`)
	median := times[len(times)/2]
	t.Logf("redraw of %d points: median %.1f ms, min %.1f, max %.1f (9 redraws)", n, median, times[0], times[len(times)-1])
	if median >= 50 {
		t.Errorf("a redraw of %d points takes %.1f ms (median of 9), want under 50", n, median)
	}
	if v := evalJS[int](t, ctx, `fmnistExplorer.points()`); v != n {
		t.Errorf("the page shows %d points, want %d", v, n)
	}
}
