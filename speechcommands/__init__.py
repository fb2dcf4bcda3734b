"""Speech Commands (keyword spotting) data: dataset conventions and loading."""
