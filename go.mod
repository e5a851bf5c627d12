module github.com/candor-observatory/candor

go 1.26.8

require (
	github.com/transparency-dev/merkle v0.0.2
	golang.org/x/mod v0.43.0
	golang.org/x/text v0.44.0
)

require github.com/google/go-cmp v0.7.0 // indirect
