"""Terminal commands. They drive qwen_studio.core, like the GUI does."""
