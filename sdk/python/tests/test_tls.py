"""run() over TLS and mutual TLS, with certificates from internal/testpki.

The Go test that runs this suite (sdk_test.go) writes them and names their
directory in TRADECTL_TEST_PKI; run alone, without it, the test is skipped.
"""

import os
import unittest

import grpc

import tradectl_strategy as ts

from .fakedaemon import FakeDaemon, snapshot, stopped

PKI = os.environ.get("TRADECTL_TEST_PKI")


def read(name):
    with open(os.path.join(PKI, name), "rb") as f:
        return f.read()


@unittest.skipUnless(PKI, "TRADECTL_TEST_PKI unset (go test ./sdk/python sets it)")
class TLSTest(unittest.TestCase):
    def setUp(self):
        creds = grpc.ssl_server_credentials([(read("server-key.pem"), read("server.pem"))],
                                            root_certificates=read("ca.pem"),
                                            require_client_auth=True)
        self.peers = []

        def script(s):
            self.peers.append(s.context.auth_context().get("x509_common_name"))
            yield snapshot()
            yield stopped(2)

        self.d = FakeDaemon(script, credentials=creds)
        self.addCleanup(self.d.stop)

    def test_mutual_tls_presents_the_client_certificate(self):
        out = ts.run(self.d.target, "tok", ts.Hello(name="x"), ts.Strategy(),
                     root_certificates=read("ca.pem"), client_certificate=read("client.pem"),
                     client_key=read("client-key.pem"))
        self.assertEqual(out.sequence, 2)
        self.assertEqual(self.peers, [[b"pystrategy"]])

    def test_without_a_client_certificate_the_daemon_refuses(self):
        with self.assertRaises(ts.StrategyError) as cm:
            ts.run(self.d.target, "tok", ts.Hello(name="x"), ts.Strategy(),
                   root_certificates=read("ca.pem"))
        self.assertEqual(cm.exception.code, grpc.StatusCode.UNAVAILABLE)
        self.assertEqual(self.peers, [])

    def test_a_client_certificate_needs_tls_and_its_key(self):
        with self.assertRaisesRegex(ValueError, "needs TLS"):
            ts.channel(self.d.target, client_certificate=b"x", client_key=b"y")
        with self.assertRaisesRegex(ValueError, "both"):
            ts.channel(self.d.target, root_certificates=read("ca.pem"), client_certificate=b"x")
