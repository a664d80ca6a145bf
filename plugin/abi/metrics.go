package abi

// Metric handles are the host's metric ids. Unlike the SDK, operations report host errors instead
// of panicking: a metric must never take a request down.
type (
	MetricCounter   uint32
	MetricGauge     uint32
	MetricHistogram uint32
)
