"""Excel workbooks: the official layouts of one filing, consolidated exports and imports of filled templates."""
