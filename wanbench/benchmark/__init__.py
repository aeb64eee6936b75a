"""What a benchmark is: its dimensions' methods, weightings and reference tables."""
