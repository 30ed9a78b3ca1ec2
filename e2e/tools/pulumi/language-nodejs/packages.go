package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// packageJSON is the part of a package.json this host reads.
type packageJSON struct {
	Name            string            `json:"name"`
	Version         string            `json:"version"`
	Dependencies    map[string]string `json:"dependencies"`
	DevDependencies map[string]string `json:"devDependencies"`
	Pulumi          *pulumiSection    `json:"pulumi"`
}

// pulumiSection is the "pulumi" object of an SDK package's package.json, which says which resource
// plugin the package needs (see PulumiPluginJSON in sdk/v3/go/common/resource/plugin).
type pulumiSection struct {
	Resource         bool                  `json:"resource"`
	Name             string                `json:"name"`
	Version          string                `json:"version"`
	Server           string                `json:"server"`
	Parameterization *parameterizationJSON `json:"parameterization"`
}

type parameterizationJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Value   []byte `json:"value"` // base64 in JSON
}

// installedPackage is one package found in a node_modules folder.
type installedPackage struct {
	dir  string
	info packageJSON
}

func readPackageJSON(path string) (packageJSON, error) {
	var info packageJSON
	b, err := os.ReadFile(path)
	if err != nil {
		return info, err
	}
	if err := json.Unmarshal(b, &info); err != nil {
		return info, fmt.Errorf("%s: %w", path, err)
	}
	return info, nil
}

// nodeModulesDirs lists the node_modules folders that node searches from dir: dir/node_modules,
// then that of each parent, nearest first.
func nodeModulesDirs(dir string) []string {
	var dirs []string
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	for {
		if filepath.Base(dir) != "node_modules" {
			nm := filepath.Join(dir, "node_modules")
			if st, err := os.Stat(nm); err == nil && st.IsDir() {
				dirs = append(dirs, nm)
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return dirs
		}
		dir = parent
	}
}

// packagesIn lists the packages installed in a node_modules folder (name/ and @scope/name/), and,
// when deep is set, those in the node_modules folders nested inside them. Unreadable or invalid
// package.json files are skipped.
func packagesIn(nodeModules string, deep bool) []installedPackage {
	var pkgs []installedPackage
	seen := map[string]bool{}
	var walk func(nm string)
	walk = func(nm string) {
		real, err := filepath.EvalSymlinks(nm)
		if err != nil || seen[real] {
			return
		}
		seen[real] = true
		for _, dir := range packageDirs(nm) {
			info, err := readPackageJSON(filepath.Join(dir, "package.json"))
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					logging.V(5).Infof("skipping %s: %v", dir, err)
				}
				continue
			}
			pkgs = append(pkgs, installedPackage{dir: dir, info: info})
			if deep {
				walk(filepath.Join(dir, "node_modules"))
			}
		}
	}
	walk(nodeModules)
	return pkgs
}

// packageDirs lists the package folders directly inside a node_modules folder.
func packageDirs(nodeModules string) []string {
	entries, err := os.ReadDir(nodeModules)
	if err != nil {
		return nil
	}
	var dirs []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue // .bin, .package-lock.json, .cache, ...
		}
		path := filepath.Join(nodeModules, name)
		if !isDir(path) {
			continue
		}
		if strings.HasPrefix(name, "@") {
			scoped, err := os.ReadDir(path)
			if err != nil {
				continue
			}
			for _, s := range scoped {
				if p := filepath.Join(path, s.Name()); isDir(p) {
					dirs = append(dirs, p)
				}
			}
			continue
		}
		dirs = append(dirs, path)
	}
	return dirs
}

// isDir follows symlinks (npm links and workspaces install packages as links).
func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// pluginName is the resource plugin a package needs: pulumi.name, or the package name without its
// @pulumi/ scope. Third-party packages must name their plugin.
func pluginName(info packageJSON) (string, error) {
	if info.Pulumi.Name != "" {
		return info.Pulumi.Name, nil
	}
	if rest, ok := strings.CutPrefix(info.Name, "@pulumi/"); ok && rest != "" {
		return rest, nil
	}
	return "", fmt.Errorf("package %q has \"pulumi\": {\"resource\": true} but no \"pulumi\".\"name\"", info.Name)
}

func pluginVersion(info packageJSON) (string, error) {
	v := info.Pulumi.Version
	if v == "" {
		v = info.Version
	}
	if v == "" {
		return "", fmt.Errorf("package %q has no version", info.Name)
	}
	if !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	return v, nil
}

// GetRequiredPackages lists the resource plugins of every installed package whose package.json says
// "pulumi": {"resource": true}, looking through the node_modules folders from the program directory
// upwards (nested ones included).
func (h *host) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	dir := programDirectory(req.GetInfo(), "")
	var result []*pulumirpc.PackageDependency
	seen := map[string]bool{}
	for _, nm := range nodeModulesDirs(dir) {
		for _, pkg := range packagesIn(nm, true) {
			if pkg.info.Pulumi == nil || !pkg.info.Pulumi.Resource {
				continue
			}
			name, err := pluginName(pkg.info)
			if err != nil {
				logging.V(3).Infof("%s: %v", pkg.dir, err)
				continue
			}
			ver, err := pluginVersion(pkg.info)
			if err != nil {
				logging.V(3).Infof("%s: %v", pkg.dir, err)
				continue
			}
			dep := &pulumirpc.PackageDependency{
				Name:    name,
				Kind:    "resource",
				Version: ver,
				Server:  pkg.info.Pulumi.Server,
			}
			key := name + "@" + ver
			if p := pkg.info.Pulumi.Parameterization; p != nil {
				dep.Parameterization = &pulumirpc.PackageParameterization{
					Name:    p.Name,
					Version: p.Version,
					Value:   p.Value,
				}
				key += "/" + p.Name + "@" + p.Version
			}
			if seen[key] {
				continue
			}
			seen[key] = true
			result = append(result, dep)
		}
	}
	sort.SliceStable(result, func(i, j int) bool { return result[i].Name < result[j].Name })
	return &pulumirpc.GetRequiredPackagesResponse{Packages: result}, nil
}

// GetProgramDependencies reads node_modules: the program's declared dependencies with the versions
// installed for them, or, for transitive dependencies, every package node can load from the program
// directory.
func (h *host) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := programDirectory(req.GetInfo(), req.GetPwd())

	// What node would load from dir: the nearest node_modules wins for each name.
	installed := map[string]string{}
	var order []string
	for _, nm := range nodeModulesDirs(dir) {
		for _, pkg := range packagesIn(nm, false) {
			if _, ok := installed[pkg.info.Name]; ok || pkg.info.Name == "" {
				continue
			}
			installed[pkg.info.Name] = pkg.info.Version
			order = append(order, pkg.info.Name)
		}
	}

	var names []string
	if req.GetTransitiveDependencies() {
		names = order
	} else {
		project, err := readPackageJSON(filepath.Join(dir, "package.json"))
		if err != nil {
			return nil, fmt.Errorf("could not read the program's package.json: %w", err)
		}
		for name := range project.Dependencies {
			names = append(names, name)
		}
		for name := range project.DevDependencies {
			if _, dup := project.Dependencies[name]; !dup {
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)

	deps := make([]*pulumirpc.DependencyInfo, 0, len(names))
	for _, name := range names {
		v, ok := installed[name]
		if !ok {
			v = "(not installed)"
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: v})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// InstallDependencies installs nothing: the e2e projects are installed with `npm ci` beforehand. It
// only checks that the SDK loads from the program directory.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	dir := programDirectory(req.GetInfo(), req.GetDirectory())
	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on $PATH: %w", err)
	}
	if _, err := resolveModule(server.Context(), node, sdkPackage, dir); err != nil {
		return err
	}
	msg := fmt.Sprintf("%s is installed for %s; this language host installs nothing else.\n", sdkPackage, dir)
	return server.Send(&pulumirpc.InstallDependenciesResponse{Stdout: []byte(msg)})
}
