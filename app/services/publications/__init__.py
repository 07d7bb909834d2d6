"""Publications: the dataset registry, its schedule, and frozen versioned snapshots."""
