package analysis

import (
	"gonum.org/v1/gonum/mat"

	"fmnist/cluster"
	"fmnist/dataset"
	"fmnist/tfrunner"
)

// discover runs sub-class discovery, fills a.Subclasses and returns the
// flat (label, sub-class) partition of the rows.
func discover(a *Analysis, x *mat.Dense, pred *tfrunner.Predictions, seed uint64) ([]int, error) {
	res, err := cluster.DiscoverSubclasses(x, pred.Labels, pred.Original, cluster.SubclassOptions{Seed: seed})
	if err != nil {
		return nil, err
	}
	names := dataset.Names(maxOf(pred.Labels) + 1)
	for _, l := range res.Labels {
		s := Subclasses{Label: l.Label, K: l.K}
		if l.Label < len(names) {
			s.Name = names[l.Label]
		}
		for _, sc := range l.Subclasses {
			s.Members = append(s.Members, len(sc.Members))
			s.Representatives = append(s.Representatives, sc.Representatives)
			if pred.Original == nil {
				continue
			}
			counts := make([]int, len(dataset.ClassNames))
			for _, c := range sc.Classes {
				counts[c.Class] = c.Count
			}
			s.Classes = append(s.Classes, counts)
			s.Purity = append(s.Purity, sc.Purity)
			if len(sc.Classes) > 0 {
				s.Majority = append(s.Majority, dataset.ClassNames[sc.Classes[0].Class])
			}
		}
		a.Subclasses = append(a.Subclasses, s)
	}
	return res.Partition, nil
}
