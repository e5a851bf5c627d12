module github.com/candor-observatory/candor

go 1.26.8

require (
	github.com/oklog/ulid/v2 v2.1.2
	golang.org/x/text v0.44.0
)
