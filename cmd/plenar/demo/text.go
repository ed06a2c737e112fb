package demo

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// vars picks one value for every {placeholder} of a paper, so that title
// and text talk about the same school, street and amounts.
func vars(r *rand.Rand, d time.Time) map[string]string {
	y := d.Year()
	if d.Month() >= 9 {
		y++ // papers in autumn plan for next year
	}
	amount := (50 + r.IntN(4950)) * 1000
	st := r.Perm(len(streets))
	return map[string]string{
		"{school}": pick(r, schools), "{kita}": pick(r, kitas), "{street}": streets[st[0]], "{street2}": streets[st[1]],
		"{street3}": streets[st[2]], "{district}": pick(r, districts), "{area}": pick(r, areas),
		"{bnr}": strconv.Itoa(40 + r.IntN(160)), "{stop}": pick(r, stops), "{park}": pick(r, parks),
		"{sport}": pick(r, sportSites), "{club}": pick(r, clubs), "{program}": pick(r, programs), "{firm}": pick(r, firms),
		"{facility}": pick(r, facilities), "{fee}": strconv.Itoa(30 + 10*r.IntN(20)), "{youth}": pick(r, youthPlaces),
		"{n}": strconv.Itoa(3 + r.IntN(40)), "{n2}": strconv.Itoa(120 + r.IntN(2800)), "{n3}": strconv.Itoa(12 + r.IntN(300)),
		"{small}": strconv.Itoa(2 + r.IntN(4)), "{amount}": euro(amount), "{amount2}": euro(amount / 100 * (10 + r.IntN(50))),
		"{bigamount}": euro((380 + r.IntN(140)) * 1_000_000), "{bigamount2}": euro((390 + r.IntN(140)) * 1_000_000),
		"{pct}": strconv.Itoa(10 + r.IntN(80)), "{pctsmall}": strconv.Itoa(2 + r.IntN(9)), "{pupils}": strconv.Itoa(180 + r.IntN(600)), "{year}": strconv.Itoa(y), "{year4}": strconv.Itoa(y + 4),
		"{year5}": strconv.Itoa(y + 5), "{nextyear}": strconv.Itoa(y + 1), "{nextyear2}": fmt.Sprintf("%02d", (y+1)%100),
		"{prevyear}": strconv.Itoa(d.Year() - 1), "{prevyear2}": strconv.Itoa(d.Year() - 2),
		"{quarter}": strconv.Itoa(1 + int(d.Month()-1)/3), "{date}": day(d, -20-r.IntN(200)).Format("02.01.2006"),
		"{date2}": day(d, -r.IntN(19)).Format("02.01.2006"), "{built}": strconv.Itoa(1890 + r.IntN(100)),
		"{due}": day(d, 60+r.IntN(180)).Format("02.01.2006"),
		"{co2}": euro(40 + r.IntN(900)), "{ha}": strconv.FormatFloat(1+float64(r.IntN(180))/10, 'f', 1, 64),
		"{places}": strconv.Itoa(40 + 10*r.IntN(10)), "{traffic}": euro(800 + r.IntN(24000)), "{bikes}": euro(150 + r.IntN(3000)),
		"{meters}": euro(200 + 50*r.IntN(40)), "{trees}": strconv.Itoa(10 + r.IntN(290)), "{line}": strconv.Itoa(1 + r.IntN(10)),
		"{account}": fmt.Sprintf("%d.%02d.%02d", 1+r.IntN(5), r.IntN(100), r.IntN(100)), "{honoree}": pick(r, honorees),
		// The statute follows from the amount already drawn, so adding it
		// left every other draw of the seeded city as it was.
		"{feestatute}": fees[(amount/1000)%len(fees)],
		"{house}":      strconv.Itoa(1 + r.IntN(120)), "{parcel}": fmt.Sprintf("%d/%d", 10+r.IntN(400), 1+r.IntN(30)),
	}
}

// fill replaces the placeholders of tmpl with v.
func fill(tmpl string, v map[string]string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	pairs := make([]string, 0, 2*len(v))
	for k, x := range v {
		pairs = append(pairs, k, x)
	}
	return strings.NewReplacer(pairs...).Replace(tmpl)
}

// euro formats n with German thousands separators: 1.250.000.
func euro(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// sentences picks n distinct sentences from xs, in their order.
func sentences(r *rand.Rand, xs []string, n int) []string {
	if n > len(xs) {
		n = len(xs)
	}
	idx := r.Perm(len(xs))[:n]
	out := make([]string, 0, n)
	for i := range xs {
		for _, j := range idx {
			if i == j {
				out = append(out, xs[i])
			}
		}
	}
	return out
}

// vote is an open vote's counts.
type vote struct{ yes, no, abstain int }

func (v vote) String() string {
	return fmt.Sprintf("Ja %d, Nein %d, Enthaltungen %d", v.yes, v.no, v.abstain)
}

// castVote returns plausible counts for a body of n voting members; the
// proposal passes when pass is true.
func castVote(r *rand.Rand, n int, pass bool) vote {
	present := n - r.IntN(n/6+1)
	minority := 1 + r.IntN(max(1, present*2/5))
	abstain := r.IntN(max(1, (present-minority)/8+1))
	majority := present - minority - abstain
	if majority <= minority {
		majority, minority = minority+1, max(0, present-abstain-minority-1)
	}
	if pass {
		return vote{yes: majority, no: minority, abstain: abstain}
	}
	return vote{yes: minority, no: majority, abstain: abstain}
}
