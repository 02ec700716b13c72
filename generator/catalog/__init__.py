"""The service catalog: loading with source locations, the model, and its rules."""
