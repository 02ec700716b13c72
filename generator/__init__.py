"""gitops-gen: one service catalog rendered into everything Argo CD syncs."""

__version__ = "0.1.0"
