// Package billing renders and numbers Acme invoices (fictional, written for the leakguard demo).
package billing

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

var ErrEmptyInvoice = errors.New("billing: invoice has no lines")

type Line struct {
	SKU        string
	Quantity   int
	UnitCents  int64
	TaxPercent int
}

type Invoice struct {
	Number   string
	Customer string
	Issued   time.Time
	Lines    []Line
}

// NextNumber builds the invoice number from the region prefix, the year and a sequence.
func NextNumber(region string, issued time.Time, sequence int) string {
	prefix := strings.ToUpper(region)
	if len(prefix) > 3 {
		prefix = prefix[:3]
	}
	return fmt.Sprintf("%s-%04d-%06d", prefix, issued.Year(), sequence)
}

func (inv *Invoice) Totals() (net int64, tax int64, err error) {
	if len(inv.Lines) == 0 {
		return 0, 0, ErrEmptyInvoice
	}
	for _, line := range inv.Lines {
		lineNet := int64(line.Quantity) * line.UnitCents
		net += lineNet
		tax += (lineNet*int64(line.TaxPercent) + 50) / 100
	}
	return net, tax, nil
}

func (inv *Invoice) Render() (string, error) {
	net, tax, err := inv.Totals()
	if err != nil {
		return "", err
	}
	lines := append([]Line(nil), inv.Lines...)
	sort.Slice(lines, func(i, j int) bool { return lines[i].SKU < lines[j].SKU })
	var b strings.Builder
	fmt.Fprintf(&b, "Invoice %s for %s (%s)\n", inv.Number, inv.Customer, inv.Issued.Format("2006-01-02"))
	for _, line := range lines {
		fmt.Fprintf(&b, "  %-12s x%-4d %10.2f\n", line.SKU, line.Quantity, float64(line.UnitCents)/100)
	}
	fmt.Fprintf(&b, "  net %.2f tax %.2f total %.2f\n", float64(net)/100, float64(tax)/100, float64(net+tax)/100)
	return b.String(), nil
}
