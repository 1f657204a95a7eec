package tfrunner

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// NewProgress returns a Keras-like progress display on w: a live bar
// (`1500/1500 [=====>....] - loss: … - accuracy: …`) when w is a terminal,
// and one plain line per epoch otherwise.
func NewProgress(w io.Writer, model string) Progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, model: model, tty: tty}
}

type progress struct {
	w     io.Writer
	model string
	tty   bool
	bar   *progressbar.ProgressBar
	steps int
	start time.Time
}

func (p *progress) EpochStart(epoch, epochs, steps, done int) {
	p.steps, p.start = steps, time.Now()
	fmt.Fprintf(p.w, "%s: Epoch %d/%d\n", p.model, epoch, epochs)
	if done > 0 {
		fmt.Fprintf(p.w, "resuming at step %d/%d\n", done, steps)
	}
	if !p.tty {
		return
	}
	p.bar = progressbar.NewOptions(steps,
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetTheme(progressbar.Theme{Saucer: "=", SaucerHead: ">", SaucerPadding: ".", BarStart: "[", BarEnd: "]"}),
	)
	p.bar.Set(done)
}

func (p *progress) Step(done int, loss, accuracy float64) {
	if p.bar == nil {
		return
	}
	p.bar.Describe(fmt.Sprintf("- loss: %.4f - accuracy: %.4f", loss, accuracy))
	p.bar.Set(done)
}

func (p *progress) EpochEnd(e Epoch) {
	if p.bar != nil {
		p.bar.Finish()
		p.bar = nil
		fmt.Fprintln(p.w)
	}
	ms := 1000 * e.Seconds / float64(max(p.steps, 1))
	fmt.Fprintf(p.w, "%d/%d - %.1fs %.2fms/step - loss: %.4f - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f\n",
		p.steps, p.steps, e.Seconds, ms, e.Loss, e.Accuracy, e.ValLoss, e.ValAccuracy)
}
