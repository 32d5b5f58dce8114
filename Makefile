# Firmsync — two commands do all the set-up on Debian/Ubuntu:
#   make run    installs what is missing, then starts the app on the built-in sandbox
#   make test   installs what tests need, then runs them
GO      ?= go
BIN     ?= bin/firmsync
# Fyne (cgo, OpenGL, X11) build headers.
BUILD_PKGS := gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev \
              libxinerama-dev libxi-dev libxxf86vm-dev
# Tests: a session bus, a Secret Service (gnome-keyring) and a virtual display.
TEST_PKGS  := dbus dbus-daemon gnome-keyring xvfb xauth
SHOT_PKGS  := imagemagick
# Windows: the mingw-w64 cross compiler (Fyne needs cgo) and Wine to run
# what it builds.
WIN_PKGS   := gcc-mingw-w64-x86-64 wine64 xvfb xauth imagemagick xdotool x11-utils
PKG_WIN_PKGS := gcc-mingw-w64-x86-64 wixl msitools wine64
FYNE_VERSION := v2.7.1

.PHONY: all deps test-deps run build test vet fmt-check test-go test-keyring test-desktop test-windows conformance package package-windows check-msi check-darwin screenshots screenshots-windows soak fuzz bench clean

all: build

# deps installs the Debian packages that are missing (sudo when not root);
# elsewhere it says what is needed.
deps:
	@sh .ci/deps.sh $(BUILD_PKGS)

test-deps:
	@sh .ci/deps.sh $(BUILD_PKGS) $(TEST_PKGS)

build: deps
	$(GO) build -o $(BIN) ./cmd/firmsync

# run starts the desktop app on the sandbox with a data directory of its own,
# so trying Firmsync never touches a real configuration.
run: build
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ] && [ "$$(uname)" = Linux ]; then \
		echo "No display: running the headless 'serve' on the sandbox instead (Ctrl-C stops)."; \
		./$(BIN) serve --sandbox --data $(CURDIR)/.sandbox-data; \
	else ./$(BIN) --sandbox --data $(CURDIR)/.sandbox-data; fi

# The full race suite runs last, so its results close the output.
test: test-deps fmt-check vet test-keyring test-desktop conformance test-windows check-msi check-darwin test-go

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

test-go:
	$(GO) test -race -count=1 ./...

# conformance validates every response the six fakes give while the real
# clients run against the vendors' own API schemas (connectors/spec) and
# prints the per-platform report: responses checked, violations, relaxations,
# examples decoded.
conformance:
	$(GO) test -race -count=1 -v -run 'TestFakesConformToVendorSpecs|TestPMSFakesConformToVendorSpecs|TestSpecExamplesDecodeIntoClientTypes|TestLawmaticsExamplesDecodeIntoClientTypes' ./connectors/spec/

# The real desktop app under Xvfb, hidden in a tray of the test's own:
# the tray icon registers, a second launch brings the window forward, and
# SIGTERM stops it cleanly, also in the middle of a sync.
test-desktop:
	FIRMSYNC_DESKTOP_TEST=1 xvfb-run -a $(GO) test -race -count=1 -run TestDesktop ./cmd/firmsync/

# Windows: firmsync.exe and the test binaries of core/..., connectors/...
# and cmd/firmsync cross-compiled with mingw-w64 and run under Wine in a
# throw-away prefix (-short: the crash and rebuild drills and the full demo
# sync run on Linux only), then the desktop app under Wine and Xvfb:
# window, CLI through its control endpoint, clean quit. See
# .ci/test-windows.sh for the Wine-only test aids and why no -race.
test-windows:
	@sh .ci/deps.sh $(WIN_PKGS)
	sh .ci/test-windows.sh

# package-windows builds dist/Firmsync-<version>.msi: per user, no admin,
# %LocalAppData%\Programs\Firmsync, a Start Menu shortcut, start at login
# with AUTOSTART=1, the firm's data kept on uninstall unless REMOVEDATA=1
# (see .ci/package-windows.sh and .ci/msi/firmsync.wxs).
package-windows:
	@sh .ci/deps.sh $(PKG_WIN_PKGS)
	sh .ci/package-windows.sh

# check-msi lists the MSI's tables and installs and uninstalls it under Wine.
check-msi: package-windows
	sh .ci/check-msi.sh

# check-darwin: every package but the GUI cross-compiles and vets for macOS.
check-darwin:
	sh .ci/check-darwin.sh

# screenshots-windows writes the Windows window (Wine) to assets/screenshots.
screenshots-windows:
	@sh .ci/deps.sh $(WIN_PKGS)
	TESTWIN_ONLY_SMOKE=1 TESTWIN_SHOT=$(CURDIR)/assets/screenshots/windows-window.png sh .ci/test-windows.sh

# The real Secret Service: gnome-keyring in a private D-Bus session with
# throw-away XDG directories, so no user keyring is touched.
test-keyring:
	@tmp=$$(mktemp -d); mkdir -m 700 $$tmp/run $$tmp/data; \
	GOCACHE=$$($(GO) env GOCACHE) GOMODCACHE=$$($(GO) env GOMODCACHE) \
	XDG_RUNTIME_DIR=$$tmp/run XDG_DATA_HOME=$$tmp/data dbus-run-session -- sh -c '\
		echo -n firmsync-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && \
		FIRMSYNC_REAL_KEYRING=1 $(GO) test -count=1 -run RealSecretService -v ./core/secrets/ ' ; \
	rc=$$?; rm -rf $$tmp; exit $$rc

package: deps
	$(GO) install fyne.io/fyne/v2/cmd/fyne@$(FYNE_VERSION)
	cd cmd/firmsync && $$($(GO) env GOPATH)/bin/fyne package -os linux -icon ../../assets/icon.png -name Firmsync -src . -release

# screenshots runs the GUI on the sandbox after a real sync and writes a PNG
# per tab to assets/screenshots (the README shows them).
screenshots: build
	@sh .ci/deps.sh $(TEST_PKGS) $(SHOT_PKGS)
	FIRMSYNC_SCREENSHOTS=assets/screenshots $(GO) test -count=1 -timeout 10m -run 'Screenshot' ./ui/
	xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- sh .ci/xvfb-shot.sh $(CURDIR)/$(BIN) assets/screenshots/xvfb-window.png

# fuzz runs every fuzz target for FUZZTIME each (CI runs their seed corpora
# as ordinary tests inside make test).
FUZZTIME ?= 30s
FUZZ_TARGETS := FuzzVerifiers:./core/webhook FuzzVTT:./core/jobs FuzzNormalizePhone:./core/jobs \
                FuzzFolderName:./core/jobs FuzzSanitizeName:./connectors/box FuzzCLIArgs:./cmd/firmsync
fuzz: test-deps
	@for t in $(FUZZ_TARGETS); do name=$${t%%:*}; pkg=$${t#*:}; \
		echo "== $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; done

# soak runs the long forms: 200 SIGKILLs across a sync, then the rebuild
# drill on a firm 20 times the CI size (sync, lose firmsync.db, sync again:
# no duplicate anywhere, calls reported).
soak: test-deps
	FIRMSYNC_SOAK_KILLS=200 $(GO) test -count=1 -timeout 30m -run TestCrash -v ./core/
	FIRMSYNC_REBUILD_SCALE=20 $(GO) test -count=1 -timeout 30m -run TestRebuildAfterALostDatabase -v ./core/

clean:
	rm -rf bin .sandbox-data
