"""``make e2e``: apply a generated project to a real control plane, offline, and watch Flux."""
