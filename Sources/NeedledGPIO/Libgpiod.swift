/// The libgpiod this build was made against, chosen at build time: `NEEDLED_LIBGPIOD=2` builds the
/// 2.x adapter (libgpiod 2.x's pkg-config found on PKG_CONFIG_PATH), anything else 1.6. A binary
/// linked against one does not load with the other, so the choice is the package's, not a run's.
#if NEEDLED_LIBGPIOD2
    public typealias LibgpiodChip = LibgpiodV2Chip
    public let libgpiodMajorVersion = 2
#else
    public typealias LibgpiodChip = LibgpiodV1Chip
    public let libgpiodMajorVersion = 1
#endif
