package host

import "time"

// tickState drives proxy_on_tick for the root context from a host goroutine
// (Envoy: a dispatcher timer). Only the host uses timers; the module never.
type tickState struct {
	period time.Duration
	stopCh chan struct{}
}

func (t *tickState) stop() {
	if t.stopCh != nil {
		close(t.stopCh)
		t.stopCh = nil
	}
	t.period = 0
}

func proxySetTickPeriod(vm *VM, s []uint64) {
	d := time.Duration(uint32(s[0])) * time.Millisecond
	vm.tick.stop()
	if d > 0 && vm.plugin.cfg.ManualTicks {
		vm.tick.period = d
	} else if d > 0 {
		vm.tick.period = d
		stop := make(chan struct{})
		vm.tick.stopCh = stop
		go vm.runTicks(d, stop)
	}
	s[0] = statusOk
}

func (vm *VM) runTicks(d time.Duration, stop chan struct{}) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			vm.async(func() {
				select {
				case <-stop:
					return
				default:
				}
				vm.callCtx(vm.fnTick, vm.rootID, uint64(vm.rootID))
			})
		}
	}
}
