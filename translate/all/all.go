// Package all registers every provider API family with package translate: the plugin
// imports it once instead of naming each family.
package all

import (
	_ "switchyard/translate/anthropic"
	_ "switchyard/translate/azure"
	_ "switchyard/translate/bedrock"
	_ "switchyard/translate/cohere"
	_ "switchyard/translate/gemini"
	_ "switchyard/translate/openai"
	_ "switchyard/translate/vertex"
)
