"""Policy: what members may write where everyone reads it (the privacy guard, the scam guard, the
watched words). Left of every feature; the services that save text call `services.screen`."""
