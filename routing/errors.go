package routing

import (
	"errors"
	"strconv"
)

// ConfigError is a rejected config: Path is the JSON path of the offending value relative to
// the config root ("targets[1].weight"; "config" for the root itself).
type ConfigError struct {
	Path string
	Msg  string
}

func (e *ConfigError) Error() string { return e.Path + ": " + e.Msg }

func errAt(path, msg string) error { return &ConfigError{Path: path, Msg: msg} }

// ErrDeadline: the request's total deadline passed before the plan could make another attempt.
var ErrDeadline = errors.New("routing: the request deadline passed before another attempt could start")

// RouteError is a routing decision that failed at request time (a conditional group whose
// conditions all failed and that has no default). The client should get a 400.
type RouteError struct {
	Path string // target path of the group, "config.targets[0]"
	Msg  string
}

func (e *RouteError) Error() string { return "routing: " + e.Path + ": " + e.Msg }

// join builds error paths: "" is the root.
func join(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

func index(prefix, key string, i int) string {
	return join(prefix, key) + "[" + strconv.Itoa(i) + "]"
}

func rootName(p string) string {
	if p == "" {
		return "config"
	}
	return p
}
