package importers

// Rows is the part every table reader shares: it hands out one item first
// (the platform organisation), then the items the rows push, reading rows
// until some are pushed.
type Rows struct {
	queue   []Item
	started bool
}

// Push queues items made from the current row.
func (q *Rows) Push(items ...Item) { q.queue = append(q.queue, items...) }

// Next returns first on the first call; afterwards a queued item, calling
// readRow (which reads a row and pushes its items) while none is queued.
func (q *Rows) Next(first func() Item, readRow func() error) (Item, error) {
	if !q.started {
		q.started = true
		return first(), nil
	}
	for len(q.queue) == 0 {
		if err := readRow(); err != nil {
			return Item{}, err
		}
	}
	it := q.queue[0]
	q.queue = q.queue[1:]
	return it, nil
}
