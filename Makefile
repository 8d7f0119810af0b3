# needled: build and install (Docs/operations.md).
#   make                      release binaries with the Swift runtime linked in (.build-static)
#   make install              PREFIX=/usr DESTDIR= (a staging root for packages): binaries, units,
#                             needlectl's man page and bash/zsh/fish completions (generated from
#                             its argument parser), the documents
#   make deb                  a Debian package in .build-deb/ (Scripts/build-deb)
#   make test                 the test suite (Scripts/test)
PREFIX ?= /usr
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
# systemd, udev, sysusers and tmpfiles read /usr/lib; with PREFIX=/usr/local they still must go there.
UNITDIR ?= /usr/lib/systemd/system
UDEVRULESDIR ?= /usr/lib/udev/rules.d
SYSUSERSDIR ?= /usr/lib/sysusers.d
TMPFILESDIR ?= /usr/lib/tmpfiles.d
SYSCONFDIR ?= /etc
DOCDIR ?= $(PREFIX)/share/doc/needled
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/vendor-completions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
SWIFT ?= /opt/swift/usr/bin/swift
SCRATCH ?= .build-static
SWIFTFLAGS = -c release --static-swift-stdlib --scratch-path $(SCRATCH)

.PHONY: all install uninstall deb test man
all:
	$(SWIFT) build $(SWIFTFLAGS) --product needled
	$(SWIFT) build $(SWIFTFLAGS) --product needlectl

install: all
	bin=$$($(SWIFT) build $(SWIFTFLAGS) --show-bin-path) && \
	install -D -m 0755 $$bin/needled $(DESTDIR)$(BINDIR)/needled && \
	install -D -m 0755 $$bin/needlectl $(DESTDIR)$(BINDIR)/needlectl
	strip $(DESTDIR)$(BINDIR)/needled $(DESTDIR)$(BINDIR)/needlectl
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(UDEVRULESDIR)
	sed 's|/usr/bin/needled|$(BINDIR)/needled|g' systemd/needled.service > $(DESTDIR)$(UNITDIR)/needled.service
	install -m 0644 systemd/needled.socket $(DESTDIR)$(UNITDIR)/needled.socket
	sed 's|/usr/bin/needled|$(BINDIR)/needled|g' systemd/60-needled.rules > $(DESTDIR)$(UDEVRULESDIR)/60-needled.rules
	install -D -m 0644 systemd/needled.sysusers $(DESTDIR)$(SYSUSERSDIR)/needled.conf
	install -D -m 0644 systemd/needled.tmpfiles $(DESTDIR)$(TMPFILESDIR)/needled.conf
	install -D -m 0644 systemd/needled.toml $(DESTDIR)$(SYSCONFDIR)/needled/needled.toml
	install -d $(DESTDIR)$(DOCDIR)
	install -m 0644 README.md CHANGELOG.md CONTRIBUTING.md Docs/*.md systemd/needled-fleet.conf systemd/needled-metrics.conf $(DESTDIR)$(DOCDIR)/
	install -D -m 0644 -t $(DESTDIR)$(DOCDIR)/prometheus contrib/prometheus/needled-alerts.yml contrib/prometheus/needled-alerts.test.yml
	install -D -m 0644 -t $(DESTDIR)$(DOCDIR)/grafana contrib/grafana/needled-dashboard.json
	# needlectl's completions and man page, from its own argument parser (swift-argument-parser's
	# completion scripts and its generate-manual tool, built from the checked-out dependency).
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR) $(DESTDIR)$(MANDIR)/man1
	bin=$$($(SWIFT) build $(SWIFTFLAGS) --show-bin-path) && \
	$$bin/needlectl --generate-completion-script bash > $(DESTDIR)$(BASHCOMPDIR)/needlectl && \
	$$bin/needlectl --generate-completion-script zsh > $(DESTDIR)$(ZSHCOMPDIR)/_needlectl && \
	$$bin/needlectl --generate-completion-script fish > $(DESTDIR)$(FISHCOMPDIR)/needlectl.fish
	$(MAKE) --no-print-directory man
	install -m 0644 $(SCRATCH)/man/needlectl.1 $(DESTDIR)$(MANDIR)/man1/needlectl.1

# needlectl.1 from the argument parser (generate-manual runs needlectl --experimental-dump-help).
man: all
	$(SWIFT) build -c release --package-path $(SCRATCH)/checkouts/swift-argument-parser --product generate-manual
	mkdir -p $(SCRATCH)/man
	bin=$$($(SWIFT) build $(SWIFTFLAGS) --show-bin-path) && \
	$$($(SWIFT) build -c release --package-path $(SCRATCH)/checkouts/swift-argument-parser --show-bin-path)/generate-manual \
		$$bin/needlectl --output-directory $(SCRATCH)/man --authors "the needled engineers"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/needled $(DESTDIR)$(BINDIR)/needlectl
	rm -f $(DESTDIR)$(BASHCOMPDIR)/needlectl $(DESTDIR)$(ZSHCOMPDIR)/_needlectl $(DESTDIR)$(FISHCOMPDIR)/needlectl.fish
	rm -f $(DESTDIR)$(MANDIR)/man1/needlectl.1
	rm -f $(DESTDIR)$(UNITDIR)/needled.service $(DESTDIR)$(UNITDIR)/needled.socket
	rm -f $(DESTDIR)$(UDEVRULESDIR)/60-needled.rules $(DESTDIR)$(SYSUSERSDIR)/needled.conf $(DESTDIR)$(TMPFILESDIR)/needled.conf
	rm -rf $(DESTDIR)$(DOCDIR)
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/needled and /var/lib/needled (the records)"

deb:
	Scripts/build-deb

test:
	Scripts/test
