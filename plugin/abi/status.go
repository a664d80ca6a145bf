package abi

import (
	"errors"
	"strconv"

	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"
)

// Host status codes (proxy_status_t), docs/host.md §4.2.
const (
	statusOK              = 0
	statusNotFound        = 1
	statusBadArgument     = 2
	statusSerialization   = 3
	statusParseFailure    = 4
	statusInvalidMemory   = 6
	statusEmpty           = 7
	statusCasMismatch     = 8
	statusInternalFailure = 10
	statusBrokenConn      = 11
	statusUnimplemented   = 12
)

// Errors the SDK has no value for; the common ones reuse the SDK's types.Error* values so that
// errors.Is works the same in both builds.
var (
	ErrSerializationFailure = errors.New("error status returned by host: serialization failure")
	ErrParseFailure         = errors.New("error status returned by host: parse failure")
	ErrInvalidMemoryAccess  = errors.New("error status returned by host: invalid memory access")
	ErrBrokenConnection     = errors.New("error status returned by host: broken connection")
	// ErrMalformedPairs is returned when a header/property pair blob cannot be decoded.
	ErrMalformedPairs = errors.New("abi: malformed pair blob")
)

func statusToError(st uint32) error {
	switch st {
	case statusOK:
		return nil
	case statusNotFound:
		return types.ErrorStatusNotFound
	case statusBadArgument:
		return types.ErrorStatusBadArgument
	case statusSerialization:
		return ErrSerializationFailure
	case statusParseFailure:
		return ErrParseFailure
	case statusInvalidMemory:
		return ErrInvalidMemoryAccess
	case statusEmpty:
		return types.ErrorStatusEmpty
	case statusCasMismatch:
		return types.ErrorStatusCasMismatch
	case statusInternalFailure:
		return types.ErrorInternalFailure
	case statusBrokenConn:
		return ErrBrokenConnection
	case statusUnimplemented:
		return types.ErrorUnimplemented
	}
	return errors.New("error status returned by host: " + strconv.FormatUint(uint64(st), 10))
}

// Map, buffer, stream, log and metric enums of ABI 0.2.1 (docs/host.md §4.2).
const (
	mapRequestHeaders       = 0
	mapRequestTrailers      = 1
	mapResponseHeaders      = 2
	mapResponseTrailers     = 3
	mapHttpCallRespHeaders  = 6
	mapHttpCallRespTrailers = 7

	bufRequestBody      = 0
	bufResponseBody     = 1
	bufHttpCallResponse = 4
	bufVMConfiguration  = 6
	bufPluginConfig     = 7

	streamRequest  = 0
	streamResponse = 1

	logTrace    = 0
	logDebug    = 1
	logInfo     = 2
	logWarn     = 3
	logError    = 4
	logCritical = 5

	metricCounter   = 0
	metricGauge     = 1
	metricHistogram = 2
)

// maxBufferBytes asks the host for "everything": hosts clip the length to what the buffer holds,
// and the value must stay a positive signed 32-bit number on the wire.
const maxBufferBytes = 1<<31 - 1
