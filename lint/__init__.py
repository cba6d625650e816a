"""k8slint's engine: discovery, loading, the model, the rule runner, policy and reporters."""

__version__ = "0.1.0"
