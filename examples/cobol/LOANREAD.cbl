      *****************************************************************
      * LOANREAD  READS SCOREGATE'S RESPONSE FILE (COPYBOOK LOANRSP)
      *           FOR A REQUEST FILE (COPYBOOK LOANREQ), PRINTS EACH
      *           ANSWER AND CHECKS IT: EVERY ANSWER IS FOR A REQUEST,
      *           ONCE; SCORE 0-999 AND AGREEING WITH THE PROBABILITY
      *           OF DEFAULT; DECISION A, R OR D; THE TRAILER'S COUNTS
      *           AND LOAN TOTAL AGREE WITH THE ANSWERS AND REQUESTS.
      *           DD LOANREQ: THE REQUEST FILE (RECFM=FB, LRECL=200).
      *           DD LOANRSP: THE RESPONSE FILE (RECFM=FB, LRECL=100).
      *           RETURN CODE 0: ALL CHECKS PASSED; 8: SOME FAILED.
      *****************************************************************
       IDENTIFICATION DIVISION.
       PROGRAM-ID. LOANREAD.
       ENVIRONMENT DIVISION.
       INPUT-OUTPUT SECTION.
       FILE-CONTROL.
           SELECT LOAN-REQUESTS ASSIGN TO LOANREQ
               ORGANIZATION IS SEQUENTIAL
               FILE STATUS IS WS-REQ-STATUS.
           SELECT LOAN-RESPONSES ASSIGN TO LOANRSP
               ORGANIZATION IS SEQUENTIAL
               FILE STATUS IS WS-RSP-STATUS.
       DATA DIVISION.
       FILE SECTION.
       FD  LOAN-REQUESTS RECORDING MODE IS F.
       COPY LOANREQ.
       FD  LOAN-RESPONSES RECORDING MODE IS F.
       COPY LOANRSP.
       WORKING-STORAGE SECTION.
       01  WS-REQ-STATUS               PIC XX.
       01  WS-RSP-STATUS               PIC XX.
       01  WS-EOF                      PIC X.
       01  WS-ERRORS                   PIC 9(4) VALUE 0.
       01  WS-ANSWERS                  PIC 9(9) VALUE 0.
       01  WS-TRAILERS                 PIC 9(4) VALUE 0.
       01  WS-ANSWERED-LOAN            PIC S9(13)V99 COMP-3 VALUE 0.
       01  WS-EXPECTED-SCORE           PIC S9(5).
       01  WS-SCORE-GAP                PIC S9(5).
       01  WS-PD-SHOWN                 PIC 9.9(6).
       01  WS-FOUND                    PIC 9(4) COMP.
       01  WS-I                        PIC 9(4) COMP.
       01  WS-REQUESTS                 PIC 9(4) COMP VALUE 0.
       01  WS-REQUEST-TABLE.
           05  WS-REQUEST OCCURS 999 TIMES.
               10  WS-REQ-APPL-NO      PIC X(12).
               10  WS-REQ-LOAN         PIC S9(9)V99 COMP-3.
               10  WS-REQ-ANSWERED     PIC X.
       PROCEDURE DIVISION.
       MAIN-PARA.
           PERFORM READ-REQUESTS
           PERFORM READ-RESPONSES
           IF WS-TRAILERS NOT = 1
               PERFORM FAIL
               DISPLAY 'ERROR THE RESPONSE FILE HAS ' WS-TRAILERS
                   ' TRAILERS'
           END-IF
           DISPLAY 'LOANREAD: ' WS-ANSWERS ' ANSWERS, ' WS-ERRORS
               ' ERRORS'
           IF WS-ERRORS > 0
               MOVE 8 TO RETURN-CODE
           END-IF
           STOP RUN.

       READ-REQUESTS.
           OPEN INPUT LOAN-REQUESTS
           IF WS-REQ-STATUS NOT = '00'
               DISPLAY 'ERROR CANNOT OPEN LOANREQ, STATUS '
                   WS-REQ-STATUS
               MOVE 12 TO RETURN-CODE
               STOP RUN
           END-IF
           MOVE 'N' TO WS-EOF
           PERFORM UNTIL WS-EOF = 'Y'
               READ LOAN-REQUESTS
                   AT END MOVE 'Y' TO WS-EOF
                   NOT AT END
                       IF LR-IS-DETAIL
                           ADD 1 TO WS-REQUESTS
                           MOVE LD-APPL-NO
                               TO WS-REQ-APPL-NO(WS-REQUESTS)
                           MOVE LD-LOAN-AMOUNT
                               TO WS-REQ-LOAN(WS-REQUESTS)
                           MOVE 'N' TO WS-REQ-ANSWERED(WS-REQUESTS)
                       END-IF
               END-READ
           END-PERFORM
           CLOSE LOAN-REQUESTS.

       READ-RESPONSES.
           OPEN INPUT LOAN-RESPONSES
           IF WS-RSP-STATUS NOT = '00'
               DISPLAY 'ERROR CANNOT OPEN LOANRSP, STATUS '
                   WS-RSP-STATUS
               MOVE 12 TO RETURN-CODE
               STOP RUN
           END-IF
           MOVE 'N' TO WS-EOF
           PERFORM UNTIL WS-EOF = 'Y'
               READ LOAN-RESPONSES
                   AT END MOVE 'Y' TO WS-EOF
                   NOT AT END
                       EVALUATE RS-REC-TYPE
                           WHEN 'H' DISPLAY 'HEADER ' RH-FILE-ID ' '
                                        RH-RUN-DATE ' ' RH-MODEL
                           WHEN 'D' PERFORM CHECK-ANSWER
                           WHEN 'T' PERFORM CHECK-TRAILER
                           WHEN OTHER
                               PERFORM FAIL
                               DISPLAY 'ERROR RECORD TYPE ' RS-REC-TYPE
                       END-EVALUATE
               END-READ
           END-PERFORM
           CLOSE LOAN-RESPONSES.

       CHECK-ANSWER.
           ADD 1 TO WS-ANSWERS
           MOVE RD-PD TO WS-PD-SHOWN
           DISPLAY 'ANSWER ' RD-APPL-NO ' SCORE ' RD-SCORE ' PD '
               WS-PD-SHOWN ' DECISION ' RD-DECISION ' REASONS '
               RD-REASON-CODE(1) ' ' RD-REASON-CODE(2) ' '
               RD-REASON-CODE(3) ' ' RD-REASON-CODE(4)
           MOVE 0 TO WS-FOUND
           PERFORM VARYING WS-I FROM 1 BY 1 UNTIL WS-I > WS-REQUESTS
               IF WS-REQ-APPL-NO(WS-I) = RD-APPL-NO
                   MOVE WS-I TO WS-FOUND
               END-IF
           END-PERFORM
           IF WS-FOUND = 0
               PERFORM FAIL
               DISPLAY 'ERROR ' RD-APPL-NO ' WAS NOT REQUESTED'
           ELSE
               IF WS-REQ-ANSWERED(WS-FOUND) = 'Y'
                   PERFORM FAIL
                   DISPLAY 'ERROR ' RD-APPL-NO ' ANSWERED TWICE'
               END-IF
               MOVE 'Y' TO WS-REQ-ANSWERED(WS-FOUND)
               ADD WS-REQ-LOAN(WS-FOUND) TO WS-ANSWERED-LOAN
           END-IF
           IF RD-DECISION NOT = 'A' AND NOT = 'R' AND NOT = 'D'
               PERFORM FAIL
               DISPLAY 'ERROR ' RD-APPL-NO ' DECISION ' RD-DECISION
           END-IF
      * THE SCORE IS 999 * (1 - PD), ROUNDED (HALF-EVEN ON ONE SIDE,
      * HALF-UP ON THE OTHER: A GAP OF 1 IS ALLOWED).
           IF RD-PD > 1
               PERFORM FAIL
               DISPLAY 'ERROR ' RD-APPL-NO ' PD ' WS-PD-SHOWN
           END-IF
           COMPUTE WS-EXPECTED-SCORE ROUNDED = 999 * (1 - RD-PD)
           COMPUTE WS-SCORE-GAP = RD-SCORE - WS-EXPECTED-SCORE
           IF WS-SCORE-GAP > 1 OR WS-SCORE-GAP < -1
               PERFORM FAIL
               DISPLAY 'ERROR ' RD-APPL-NO ' SCORE ' RD-SCORE
                   ' DISAGREES WITH PD ' WS-PD-SHOWN
           END-IF.

       CHECK-TRAILER.
           ADD 1 TO WS-TRAILERS
           DISPLAY 'TRAILER ' RT-RECORD-COUNT ' SCORED '
               RT-REJECT-COUNT ' REJECTED'
           IF RT-RECORD-COUNT NOT = WS-ANSWERS
               PERFORM FAIL
               DISPLAY 'ERROR TRAILER COUNT ' RT-RECORD-COUNT
                   ', ANSWERS ' WS-ANSWERS
           END-IF
           IF RT-RECORD-COUNT + RT-REJECT-COUNT NOT = WS-REQUESTS
               PERFORM FAIL
               DISPLAY 'ERROR SCORED + REJECTED IS NOT '
                   WS-REQUESTS ' REQUESTS'
           END-IF
           IF RT-TOTAL-LOAN-AMOUNT NOT = WS-ANSWERED-LOAN
               PERFORM FAIL
               DISPLAY 'ERROR TRAILER LOAN TOTAL DISAGREES'
           END-IF.

       FAIL.
           ADD 1 TO WS-ERRORS.
