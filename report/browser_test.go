package report

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
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
// every image loads and that nothing but local files was requested. It fails
// (does not skip) when no browser is installed.
func TestBrowser(t *testing.T) {
	browser := findBrowser()
	if browser == "" {
		t.Fatal("no browser found (looked in PATH for chromium, chromium-browser and google-chrome, and at /usr/bin/chromium): apt-get install chromium")
	}
	_, _, res, err := renderFixture(t, nil)
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
	var requests, failures []string
	listen := func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventRequestWillBeSent:
			requests = append(requests, ev.Request.URL)
		case *network.EventLoadingFailed:
			failures = append(failures, ev.ErrorText)
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

	mu.Lock()
	defer mu.Unlock()
	if len(requests) == 0 {
		t.Error("no request seen: the network listener does not work")
	}
	for _, u := range requests {
		if !strings.HasPrefix(u, "file:") && !strings.HasPrefix(u, "data:") {
			t.Errorf("the page requested %s: only file: and data: URLs are allowed", u)
		}
	}
	if len(failures) > 0 {
		t.Errorf("failed loads: %v", failures)
	}
}
