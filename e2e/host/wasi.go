package host

import (
	"crypto/rand"
	"encoding/binary"
	"time"

	"github.com/tetratelabs/wazero/api"
)

func tv(ts ...api.ValueType) []api.ValueType { return ts }

// WASI errno values (Go syscall/tables_wasip1.go).
const (
	errnoSuccess    = 0
	errnoBadf       = 8
	errnoExist      = 20
	errnoFault      = 21
	errnoInval      = 28
	errnoNoent      = 44
	errnoNosys      = 52
	errnoNotsup     = 58
	errnoNotcapable = 76
)

var processStart = time.Now()

func isStdio(fd uint32) bool { return fd == 1 || fd == 2 }

// wasiFuncs mirrors cpp-host HEAD src/exports.cc (host.md §1.2); module name
// is filled in by the caller because the set is registered twice.
func wasiFuncs() []*hostFunc {
	ret := func(code uint64) func(*VM, []uint64) { return func(_ *VM, s []uint64) { s[0] = code } }
	stdioOr := func(ok, other uint64) func(*VM, []uint64) {
		return func(_ *VM, s []uint64) {
			if isStdio(uint32(s[0])) {
				s[0] = ok
			} else {
				s[0] = other
			}
		}
	}
	f := func(name string, p []api.ValueType, fn func(*VM, []uint64)) *hostFunc {
		return &hostFunc{name: name, params: p, results: retI32, fn: fn, startOK: true}
	}
	I, L := i32, i64
	fs := []*hostFunc{
		f("fd_write", tv(I, I, I, I), wasiFdWrite),
		f("fd_read", tv(I, I, I, I), ret(errnoNosys)),
		f("fd_seek", tv(I, L, I, I), ret(errnoSuccess)),
		f("fd_close", tv(I), ret(errnoSuccess)),
		f("fd_fdstat_get", tv(I, I), wasiFdstatGet),
		f("fd_fdstat_set_flags", tv(I, I), ret(errnoNosys)),
		f("fd_fdstat_set_rights", tv(I, L, L), stdioOr(0, errnoBadf)),
		f("environ_get", tv(I, I), wasiEnvironGet),
		f("environ_sizes_get", tv(I, I), wasiEnvironSizesGet),
		f("args_get", tv(I, I), ret(errnoSuccess)),
		f("args_sizes_get", tv(I, I), wasiArgsSizesGet),
		f("clock_time_get", tv(I, L, I), wasiClockTimeGet),
		f("clock_res_get", tv(I, I), wasiClockResGet),
		f("fd_advise", tv(I, L, L, I), ret(errnoSuccess)),
		f("fd_allocate", tv(I, L, L), stdioOr(0, errnoBadf)),
		f("fd_datasync", tv(I), stdioOr(0, errnoBadf)),
		f("fd_filestat_set_size", tv(I, L), stdioOr(0, errnoBadf)),
		f("fd_filestat_set_times", tv(I, L, L, I), stdioOr(0, errnoBadf)),
		f("fd_pread", tv(I, I, I, L, I), ret(errnoNosys)),
		f("fd_pwrite", tv(I, I, I, L, I), wasiFdPwrite),
		f("fd_readdir", tv(I, I, I, L, I), wasiFdReaddir),
		f("fd_renumber", tv(I, I), wasiFdRenumber),
		f("fd_sync", tv(I), stdioOr(0, errnoBadf)),
		f("fd_tell", tv(I, I), wasiFdTell),
		f("path_create_directory", tv(I, I, I), ret(errnoNotsup)),
		f("path_filestat_set_times", tv(I, I, I, I, L, L, I), ret(errnoNotsup)),
		f("path_link", tv(I, I, I, I, I, I, I), ret(errnoNotsup)),
		f("path_readlink", tv(I, I, I, I, I, I), wasiPathReadlink),
		f("path_remove_directory", tv(I, I, I), ret(errnoNotsup)),
		f("path_rename", tv(I, I, I, I, I, I), ret(errnoNotsup)),
		f("path_symlink", tv(I, I, I, I, I), ret(errnoNotsup)),
		f("path_unlink_file", tv(I, I, I), ret(errnoNotsup)),
		f("sock_accept", tv(I, I, I), wasiZeroOut(2, errnoNotsup)),
		f("sock_recv", tv(I, I, I, I, I, I), wasiZeroOut(4, errnoNotsup, 5)),
		f("sock_send", tv(I, I, I, I, I), wasiZeroOut(4, errnoNotsup)),
		f("sock_shutdown", tv(I, I), ret(errnoNotsup)),
		f("random_get", tv(I, I), wasiRandomGet),
		f("sched_yield", nil, ret(errnoSuccess)),
		f("poll_oneoff", tv(I, I, I, I), wasiPollOneoff),
		{name: "proc_exit", params: tv(I), fn: wasiProcExit},
		f("path_open", tv(I, I, I, I, I, L, L, I, I), ret(errnoNoent)),
		f("fd_prestat_get", tv(I, I), ret(errnoBadf)),
		f("fd_prestat_dir_name", tv(I, I, I), ret(errnoNosys)),
		f("path_filestat_get", tv(I, I, I, I, I), ret(errnoNotsup)),
		f("fd_filestat_get", tv(I, I), ret(errnoBadf)),
	}
	for _, h := range fs {
		switch h.name {
		case "fd_read", "fd_seek", "fd_close", "path_open", "sched_yield", "proc_exit":
			h.startOK = false
		case "fd_write", "clock_time_get", "poll_oneoff":
			h.allocOK = true
		}
	}
	return fs
}

func wasiFdWrite(vm *VM, s []uint64) {
	fd, iovs, n, nwritten := uint32(s[0]), uint32(s[1]), uint32(s[2]), uint32(s[3])
	if !isStdio(fd) {
		s[0] = errnoBadf
		return
	}
	var buf []byte
	for i := uint32(0); i < n; i++ {
		hdr, ok := vm.mem.Read(iovs+i*8, 8)
		if !ok {
			s[0] = errnoFault
			return
		}
		b, ok := vm.mem.Read(binary.LittleEndian.Uint32(hdr), binary.LittleEndian.Uint32(hdr[4:]))
		if !ok {
			s[0] = errnoFault
			return
		}
		buf = append(buf, b...)
	}
	if !vm.mem.WriteUint32Le(nwritten, uint32(len(buf))) {
		s[0] = errnoFault
		return
	}
	if len(buf) > 0 && buf[len(buf)-1] == '\n' {
		buf = buf[:len(buf)-1]
	}
	level := LogInfo
	if fd == 2 {
		level = LogError
	}
	vm.log(level, string(buf))
	s[0] = errnoSuccess
}

func wasiFdPwrite(vm *VM, s []uint64) {
	// Same as fd_write; the offset (s[3]) is ignored and nwritten is s[4].
	s[3] = s[4]
	wasiFdWrite(vm, s)
}

func wasiFdstatGet(vm *VM, s []uint64) {
	if !isStdio(uint32(s[0])) {
		s[0] = errnoBadf
		return
	}
	var st [24]byte
	binary.LittleEndian.PutUint64(st[8:], 64) // rights_base = FD_WRITE
	if !vm.mem.Write(uint32(s[1]), st[:]) {
		s[0] = errnoFault
		return
	}
	s[0] = errnoSuccess
}

func wasiEnvironSizesGet(vm *VM, s []uint64) {
	size := 0
	for _, kv := range vm.plugin.environ {
		size += len(kv) + 1
	}
	if !vm.mem.WriteUint32Le(uint32(s[0]), uint32(len(vm.plugin.environ))) ||
		!vm.mem.WriteUint32Le(uint32(s[1]), uint32(size)) {
		s[0] = errnoFault
		return
	}
	s[0] = errnoSuccess
}

func wasiEnvironGet(vm *VM, s []uint64) {
	ptrs, buf := uint32(s[0]), uint32(s[1])
	for i, kv := range vm.plugin.environ {
		if !vm.mem.WriteUint32Le(ptrs+uint32(i)*4, buf) ||
			!vm.mem.WriteString(buf, kv) || !vm.mem.WriteByte(buf+uint32(len(kv)), 0) {
			s[0] = errnoFault
			return
		}
		buf += uint32(len(kv)) + 1
	}
	s[0] = errnoSuccess
}

func wasiArgsSizesGet(vm *VM, s []uint64) {
	if !vm.mem.WriteUint32Le(uint32(s[0]), 0) || !vm.mem.WriteUint32Le(uint32(s[1]), 0) {
		s[0] = errnoFault
		return
	}
	s[0] = errnoSuccess
}

func wasiClockTimeGet(vm *VM, s []uint64) {
	var t uint64
	switch uint32(s[0]) {
	case 0:
		t = uint64(vm.plugin.now().UnixNano())
	case 1:
		t = uint64(time.Since(processStart).Nanoseconds())
	default:
		s[0] = errnoNotsup
		return
	}
	if !vm.mem.WriteUint64Le(uint32(s[2]), t) {
		s[0] = errnoFault
		return
	}
	s[0] = errnoSuccess
}

func wasiClockResGet(vm *VM, s []uint64) {
	if id := uint32(s[0]); id > 1 {
		s[0] = errnoNotsup
		return
	}
	if !vm.mem.WriteUint64Le(uint32(s[1]), 1) {
		s[0] = errnoFault
		return
	}
	s[0] = errnoSuccess
}

func wasiFdReaddir(vm *VM, s []uint64) {
	if !vm.mem.WriteUint32Le(uint32(s[4]), 0) {
		s[0] = errnoFault
		return
	}
	s[0] = errnoExist
}

func wasiFdRenumber(_ *VM, s []uint64) {
	if isStdio(uint32(s[0])) && isStdio(uint32(s[1])) {
		s[0] = errnoNotsup
	} else {
		s[0] = errnoBadf
	}
}

func wasiFdTell(vm *VM, s []uint64) {
	if !isStdio(uint32(s[0])) {
		s[0] = errnoBadf
		return
	}
	if !vm.mem.WriteUint64Le(uint32(s[1]), 0) {
		s[0] = errnoFault
		return
	}
	s[0] = errnoSuccess
}

func wasiPathReadlink(vm *VM, s []uint64) {
	if !vm.mem.WriteUint32Le(uint32(s[5]), 0) {
		s[0] = errnoFault
		return
	}
	s[0] = errnoNotsup
}

// wasiZeroOut zeroes the u32 outputs at the given argument positions, then
// returns code (cpp-host's sock_* stubs).
func wasiZeroOut(arg int, code uint64, more ...int) func(*VM, []uint64) {
	return func(vm *VM, s []uint64) {
		vm.mem.WriteUint32Le(uint32(s[arg]), 0)
		for _, a := range more {
			vm.mem.WriteUint32Le(uint32(s[a]), 0)
		}
		s[0] = code
	}
}

func wasiRandomGet(vm *VM, s []uint64) {
	ptr, n := uint32(s[0]), uint32(s[1])
	if n > 65536 {
		s[0] = errnoInval
		return
	}
	if n == 0 {
		s[0] = errnoSuccess
		return
	}
	b, ok := vm.mem.Read(ptr, n)
	if !ok {
		s[0] = errnoFault
		return
	}
	rand.Read(b)
	s[0] = errnoSuccess
}

// wasiPollOneoff never sleeps: Envoy >= 1.39 (cpp-host 94091cd) reports zero
// events so Go's netpoll and usleep return at once.
func wasiPollOneoff(vm *VM, s []uint64) {
	vm.pollCalls++
	if !vm.mem.WriteUint32Le(uint32(s[3]), 0) {
		s[0] = errnoFault
		return
	}
	s[0] = errnoSuccess
}

func wasiProcExit(vm *VM, s []uint64) {
	vm.log(LogInfo, "wasi_unstable proc_exit")
}
