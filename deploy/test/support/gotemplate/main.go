// Renders one chart template with Go's text/template, the engine Helm uses, so the tests can check the
// TypeScript subset renderer against the real thing when a Go toolchain is on PATH (helm is not).
// Input (stdin, JSON): {"template": "...", "values": {...}, "release": {"Name": "...", "Namespace": "..."}}.
// Values are decoded as Helm decodes them (numbers become float64). toYaml emits block YAML shaped like
// Helm's (sorted keys, lists at the parent's indent) with JSON-quoted scalars, so outputs are compared as
// parsed objects where toYaml is involved.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"text/template"
)

type input struct {
	Template string                 `json:"template"`
	Values   map[string]interface{} `json:"values"`
	Release  map[string]interface{} `json:"release"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fail(err)
	}
	funcs := template.FuncMap{
		"toYaml": func(v interface{}) string { return strings.Join(yamlLines(v), "\n") },
		"nindent": func(spaces int, v string) string {
			pad := strings.Repeat(" ", spaces)
			return "\n" + pad + strings.ReplaceAll(v, "\n", "\n"+pad)
		},
	}
	tpl, err := template.New("t").Funcs(funcs).Option("missingkey=error").Parse(in.Template)
	if err != nil {
		fail(err)
	}
	context := map[string]interface{}{"Values": in.Values, "Release": in.Release}
	if err := tpl.Execute(os.Stdout, context); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

// yamlLines emits v as block YAML: maps with sorted keys, list items at the parent's indent, scalars
// and empty collections as JSON (which YAML reads the same).
func yamlLines(v interface{}) []string {
	switch value := v.(type) {
	case map[string]interface{}:
		if len(value) == 0 {
			return []string{"{}"}
		}
		keys := make([]string, 0, len(value))
		for key := range value {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		var lines []string
		for _, key := range keys {
			child := value[key]
			name := scalar(key)
			if !isCollection(child) {
				lines = append(lines, name+": "+strings.Join(yamlLines(child), ""))
				continue
			}
			lines = append(lines, name+":")
			pad := "  "
			if _, isList := child.([]interface{}); isList {
				pad = ""
			}
			for _, line := range yamlLines(child) {
				lines = append(lines, pad+line)
			}
		}
		return lines
	case []interface{}:
		if len(value) == 0 {
			return []string{"[]"}
		}
		var lines []string
		for _, item := range value {
			for i, line := range yamlLines(item) {
				if i == 0 {
					lines = append(lines, "- "+line)
				} else {
					lines = append(lines, "  "+line)
				}
			}
		}
		return lines
	default:
		return []string{scalar(v)}
	}
}

func isCollection(v interface{}) bool {
	switch value := v.(type) {
	case map[string]interface{}:
		return len(value) > 0
	case []interface{}:
		return len(value) > 0
	}
	return false
}

func scalar(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		fail(err)
	}
	return string(data)
}
