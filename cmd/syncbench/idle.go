package main

// Scenario 5, idle: the real firmsync binary left alone after the firm is
// in sync — `firmsync serve` (the goal's subject) and the desktop app
// hidden in the tray — with `firmsync serve --sandbox` (the self-contained
// demo) and `firmsync serve` with nothing connected for comparison.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/firmsync/firmsync/core"
	"github.com/firmsync/firmsync/ui/trayhost"
)

// IdleResult is one firmsync process left alone.
type IdleResult struct {
	Command    string  `json:"command"`
	Seconds    float64 `json:"seconds"`
	RSSMaxMiB  float64 `json:"rss_max_mib"`
	RSSLastMiB float64 `json:"rss_last_mib"`
	// At the RSS maximum: anonymous memory (heap, stacks) and file-backed
	// pages (mostly the binary's own code, mapped from disk and shared).
	AnonMiB    float64 `json:"rss_anon_mib"`
	FileMiB    float64 `json:"rss_file_mib"`
	BinaryMiB  float64 `json:"binary_mib"`
	CPUPercent float64 `json:"cpu_percent"` // of one core
	CPUSec     float64 `json:"cpu_sec"`
	SettleSec  float64 `json:"settle_sec"` // start until its start-up work finished
}

// IdleScenario is every idle measurement.
type IdleScenario struct {
	Serve   *IdleResult `json:"serve"`             // connected, firm in sync: the goal
	Desktop *IdleResult `json:"desktop,omitempty"` // the GUI hidden in the tray
	// DesktopHow says where the desktop ran, or why it was not measured.
	DesktopHow string      `json:"desktop_how"`
	Demo       *IdleResult `json:"serve_sandbox,omitempty"` // serve --sandbox
	Plain      *IdleResult `json:"serve_plain,omitempty"`   // serve, nothing connected
}

// idle watches the real binary idle on Firmsync's synced data directory,
// wired to the bench's sandbox in this process (--sandbox-url), so the
// processes measured hold what a firm's Firmsync holds and nothing more.
func (sb *syncBench) idle(ctx context.Context, bin string) (*IdleScenario, error) {
	cfg := sb.cfg
	res := &IdleScenario{}
	requests := func() int {
		n := 0
		for _, p := range sb.fs.StatsSnapshot().Platforms {
			n += p.Requests
		}
		return n
	}
	url := sb.fs.AdminURL()
	var err error
	if res.Serve, err = watchIdle(ctx, cfg, bin, "serve", sb.data, nil, requests, cfg.idle,
		"serve", "--sandbox-url", url); err != nil {
		return nil, err
	}

	env, how, stop, err := desktopSession(ctx, cfg)
	res.DesktopHow = how
	if err != nil {
		res.DesktopHow = "not measured: " + err.Error()
	} else {
		res.Desktop, err = watchIdle(ctx, cfg, bin, "desktop", sb.data, env, requests, cfg.idle,
			"--hidden", "--sandbox-url", url)
		stop()
		if err != nil {
			res.DesktopHow = "not measured: " + err.Error()
		}
	}

	// Comparisons, shorter.
	short := min(cfg.idle, 15*time.Second)
	demo := filepath.Join(cfg.tmp, "serve-demo")
	if res.Demo, err = watchIdle(ctx, cfg, bin, "serve-demo", demo, nil, nil, short, "serve", "--sandbox"); err != nil {
		cfg.progressf("serve --sandbox (for comparison only): %v", err)
	}
	plain := filepath.Join(cfg.tmp, "serve-plain")
	if res.Plain, err = watchIdle(ctx, cfg, bin, "serve-plain", plain, nil, nil, short, "serve"); err != nil {
		cfg.progressf("serve with nothing connected (for comparison only): %v", err)
	}
	return res, nil
}

// watchIdle runs the firmsync binary with args on the data directory data
// until it has settled, then samples its memory and CPU for d. requests,
// when set, counts what the platforms received: settled means it stopped
// moving.
func watchIdle(ctx context.Context, cfg *config, bin, name, data string, env []string, requests func() int, d time.Duration, args ...string) (*IdleResult, error) {
	args = append(args, "--data", data)
	if err := os.MkdirAll(data, 0o700); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(cfg.tmp, name+".log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	command := "firmsync " + strings.Join(args, " ")
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}()
	pid := cmd.Process.Pid
	t0 := time.Now()
	// Settled: every job has a last and a next run (schedules started),
	// and over two seconds in a row the process used under 2% of a core
	// and the platforms received nothing.
	deadline := t0.Add(5 * time.Minute)
	calm := 0
	for calm < 2 {
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s did not settle within 5 minutes (see %s)", command, logf.Name())
		}
		select {
		case err := <-exited:
			exited <- err
			return nil, fmt.Errorf("%s exited: %v (see %s)", command, err, logf.Name())
		default:
		}
		if !scheduled(ctx, bin, data) {
			calm = 0
			time.Sleep(500 * time.Millisecond)
			continue
		}
		r0 := 0
		if requests != nil {
			r0 = requests()
		}
		c0, _ := cpuTime(pid)
		time.Sleep(time.Second)
		c1, _ := cpuTime(pid)
		if c1-c0 < 20*time.Millisecond && (requests == nil || requests() == r0) {
			calm++
		} else {
			calm = 0
		}
	}
	res := &IdleResult{Command: command, SettleSec: time.Since(t0).Seconds()}
	if fi, err := os.Stat(bin); err == nil {
		res.BinaryMiB = float64(fi.Size()) / (1 << 20)
	}
	cfg.progressf("%s settled after %.1f s; idle for %s…", command, res.SettleSec, d)
	c0, ok := cpuTime(pid)
	if !ok {
		return nil, fmt.Errorf("cannot read /proc/%d/stat", pid)
	}
	start := time.Now()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for time.Since(start) < d {
		<-tick.C
		if kb, ok := rssKiB(pid); ok {
			res.RSSLastMiB = kib(kb)
			if res.RSSLastMiB >= res.RSSMaxMiB {
				res.RSSMaxMiB = res.RSSLastMiB
				anon, _ := procField(statusPath(pid), "RssAnon")
				file, _ := procField(statusPath(pid), "RssFile")
				res.AnonMiB, res.FileMiB = kib(anon), kib(file)
			}
		}
	}
	c1, _ := cpuTime(pid)
	res.Seconds = time.Since(start).Seconds()
	res.CPUSec = (c1 - c0).Seconds()
	res.CPUPercent = res.CPUSec / res.Seconds * 100
	return res, nil
}

// scheduled asks the running instance (through the real CLI) whether
// every job has run and has its next run planned.
func scheduled(ctx context.Context, bin, data string) bool {
	out, err := exec.CommandContext(ctx, bin, "status", "--json", "--data", data).Output()
	if err != nil {
		return false
	}
	var st core.Status
	if json.Unmarshal(out, &st) != nil || len(st.Jobs) == 0 {
		return false
	}
	for _, j := range st.Jobs {
		if j.LastRun == nil || j.NextRun == nil {
			return false
		}
	}
	return true
}

// desktopSession finds or makes what the desktop app needs to run hidden
// in a tray: a display (Xvfb when there is none), a session bus (a private
// dbus-daemon when there is none) and a tray host on it (a stand-in
// watcher when the desktop has none). It returns the environment to add
// for the app, a description, and a stop function.
func desktopSession(ctx context.Context, cfg *config) (env []string, how string, stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	fail := func(e error) ([]string, string, func(), error) { stop(); return nil, "", func() {}, e }

	parts := []string{}
	if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		d, s, err := startXvfb(ctx)
		if err != nil {
			return fail(err)
		}
		stops = append(stops, s)
		env = append(env, "DISPLAY="+d)
		parts = append(parts, "Xvfb started by the bench (software OpenGL)")
	} else {
		parts = append(parts, "the desktop's own display")
	}

	bus := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if bus == "" {
		addr, s, err := trayhost.StartBus(ctx)
		if err != nil {
			return fail(fmt.Errorf("no session bus: %w", err))
		}
		stops = append(stops, s)
		bus = addr
		env = append(env, "DBUS_SESSION_BUS_ADDRESS="+addr)
		parts = append(parts, "a private session bus")
	}
	// A tray host already on the bus (a real panel) is used as is.
	w, err := trayhost.Serve(bus)
	switch {
	case err == nil:
		stops = append(stops, func() { _ = w.Close() })
		parts = append(parts, "a stand-in tray host")
	case os.Getenv("DBUS_SESSION_BUS_ADDRESS") == bus && trayhost.Present(ctx, 0):
		parts = append(parts, "the desktop's tray")
	default:
		return fail(fmt.Errorf("no tray host: %w", err))
	}
	cfg.progressf("desktop app: %s", strings.Join(parts, ", "))
	return env, strings.Join(parts, ", "), stop, nil
}

// startXvfb starts a virtual X display and returns its name.
func startXvfb(ctx context.Context) (string, func(), error) {
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		return "", nil, errors.New("no display and no Xvfb (apt-get install xvfb, or run the bench on a desktop)")
	}
	r, w, err := os.Pipe()
	if err != nil {
		return "", nil, err
	}
	defer r.Close()
	cmd := exec.CommandContext(ctx, bin, "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		w.Close()
		return "", nil, fmt.Errorf("starting Xvfb: %w", err)
	}
	w.Close()
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	line, err := readLineWithin(r, 15*time.Second)
	n, perr := strconv.Atoi(line)
	if err != nil || perr != nil {
		stop()
		return "", nil, fmt.Errorf("Xvfb gave no display number (%q): %v", line, errors.Join(err, perr))
	}
	return ":" + strconv.Itoa(n), stop, nil
}

// readLineWithin reads one line, giving up after d.
func readLineWithin(r interface{ Read([]byte) (int, error) }, d time.Duration) (string, error) {
	got := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		if err != nil && line == "" {
			errc <- err
			return
		}
		got <- strings.TrimSpace(line)
	}()
	select {
	case l := <-got:
		return l, nil
	case err := <-errc:
		return "", err
	case <-time.After(d):
		return "", fmt.Errorf("nothing within %s", d)
	}
}
