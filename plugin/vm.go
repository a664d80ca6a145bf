// Package plugin is Switchyard's proxy-wasm HTTP filter: it picks the provider named by the
// client's x-portkey-provider header, rewrites the request for it (authority, credentials, the
// routing cluster header) and strips gateway headers before the host forwards the request.
package plugin

import (
	"github.com/tetratelabs/proxy-wasm-go-sdk/proxywasm/types"

	"switchyard/plugin/abi"
)

// NewVMContext builds the VM context. It makes no host call, so it may run at any time; the
// module's main package registers it with abi.RegisterVMContext.
func NewVMContext() types.VMContext { return &vmContext{} }

type vmContext struct{ types.DefaultVMContext }

func (*vmContext) NewPluginContext(id uint32) types.PluginContext {
	return &pluginContext{id: id, getenv: osGetenv}
}

type pluginContext struct {
	types.DefaultPluginContext
	id     uint32
	cfg    *config
	getenv func(string) string
}

func (p *pluginContext) OnPluginStart(int) types.OnPluginStartStatus {
	data, err := abi.GetPluginConfiguration()
	if err != nil && err != types.ErrorStatusNotFound {
		abi.LogCritical("switchyard: cannot read plugin configuration: " + err.Error())
		return types.OnPluginStartStatusFailed
	}
	cfg, err := parseConfig(data, p.getenv)
	if err != nil {
		abi.LogCritical("switchyard: invalid plugin configuration: " + err.Error())
		return types.OnPluginStartStatusFailed
	}
	for _, pr := range cfg.providers {
		if pr.apiKeyEnv != "" && pr.authorization == "" {
			abi.LogWarn("switchyard: provider " + pr.id + ": environment variable " + pr.apiKeyEnv +
				" is unset or empty; requests without their own Authorization header reach the provider unauthenticated")
		}
	}
	p.cfg = cfg
	return types.OnPluginStartStatusOK
}

func (p *pluginContext) NewHttpContext(uint32) types.HttpContext {
	return &httpContext{cfg: p.cfg}
}
