package postgres

import (
	"cmp"
	"slices"

	"github.com/exchangebot/exchangebot/store"
)

// sortDeliveries orders deliveries as DueDeliveries does.
func sortDeliveries(ds []store.Delivery) {
	slices.SortFunc(ds, func(a, b store.Delivery) int {
		return cmp.Or(a.NextAttempt.Compare(b.NextAttempt), cmp.Compare(a.ID, b.ID))
	})
}
