"""Networks (nn.Modules only), one family per file."""
