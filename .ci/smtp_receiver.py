"""A mail server for the tests: aiosmtpd (PyPI) on loopback that keeps
every mail it accepts as JSON in a folder.

    smtp_receiver.py FOLDER [--tls starttls|wrapper] [--auth USER:PASSWORD]
                            [--fail-first N] [--refuse-recipients]

Prints the port it listens on (127.0.0.1) as its first line, then serves
until it is killed. `--tls` makes a certificate authority and a server
certificate for localhost and 127.0.0.1 in FOLDER (`ca.pem` is what a
client trusts). `--fail-first N` answers 451 (try again later) to the
first N mails; `--refuse-recipients` answers 550 to every recipient.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import ssl
import subprocess
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def make_certificates(folder):
    """A CA and a server certificate signed by it, with openssl."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    ca_key, ca = os.path.join(folder, "ca-key.pem"), os.path.join(folder, "ca.pem")
    key, request, cert = (os.path.join(folder, name) for name in ("key.pem", "request.pem", "cert.pem"))
    extensions = os.path.join(folder, "server.ext")
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
        "-subj", "/CN=Test mail CA",
        "-keyout", ca_key, "-out", ca)
    run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-subj", "/CN=localhost", "-keyout", key, "-out", request)
    with open(extensions, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                "keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n")
    run("x509", "-req", "-in", request, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2",
        "-extfile", extensions, "-out", cert)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


class Keeper:
    def __init__(self, folder, fail_first, refuse_recipients):
        self.folder = folder
        self.fail_first = fail_first
        self.refuse_recipients = refuse_recipients
        self.offered = 0
        self.kept = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_recipients:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.offered += 1
        if self.offered <= self.fail_first:
            return "451 4.3.0 Try again later"
        self.kept += 1
        mail = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
            # The body as a mail program shows it (transfer encoding undone).
            "text": email.message_from_bytes(envelope.content, policy=email.policy.default)
            .get_body(("plain",))
            .get_content(),
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "authenticated": session.authenticated,
        }
        path = os.path.join(self.folder, f"mail-{self.kept:04}.json")
        with open(path + ".part", "w") as f:
            json.dump(mail, f)
        os.replace(path + ".part", path)
        return f"250 2.0.0 Ok: kept as {self.kept}"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--tls", choices=["starttls", "wrapper"])
    parser.add_argument("--auth")
    parser.add_argument("--fail-first", type=int, default=0)
    parser.add_argument("--refuse-recipients", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.folder, exist_ok=True)
    context = make_certificates(args.folder) if args.tls else None
    keeper = Keeper(args.folder, args.fail_first, args.refuse_recipients)

    def check(server, session, envelope, mechanism, data):
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = args.auth.encode().split(b":", 1)
        return AuthResult(success=data.login == user and data.password == password)

    def protocol():
        options = {"hostname": "localhost", "ident": "test receiver"}
        if args.auth:
            options.update(authenticator=check, auth_required=True, auth_require_tls=args.tls is not None)
        if args.tls == "starttls":
            options.update(tls_context=context, require_starttls=True)
        return SMTP(keeper, **options)

    loop = asyncio.get_running_loop()
    wrapper = context if args.tls == "wrapper" else None
    server = await loop.create_server(protocol, "127.0.0.1", 0, ssl=wrapper)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
