"""manage.py make_checkpoint: add the new events to the record's Merkle tree and sign its root (daily)."""

from django.core.management.base import BaseCommand

from ashyq.dialogue import transparency


class Command(BaseCommand):
    help = "Append the events not yet in the record's Merkle tree and publish a signed checkpoint of it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--generate-key",
            action="store_true",
            help="print a new private key for ASHYQ_CHECKPOINT_KEY and its public key; change nothing",
        )

    def handle(self, *args, generate_key=False, **options):
        if generate_key:
            import base64

            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

            seed = transparency.new_key_b64()
            key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed))
            self.stdout.write(f"ASHYQ_CHECKPOINT_KEY={seed}\npublic key: {transparency.public_key_b64(key)}")
            return
        c = transparency.make_checkpoint()
        self.stdout.write(
            f"Checkpoint: {c.tree_size} events, root {c.root_hash}, signed at {c.signed_at} (public key {c.public_key})."
        )
